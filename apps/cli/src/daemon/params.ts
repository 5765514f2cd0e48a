import { isUserId, type UserId } from '@kith/core';
import { AppError } from '../app/app-error.ts';
import { closest, type MethodSpec } from '../rpc/method-specs.ts';

/** Typed reads of a JSON-RPC `params` object; a wrong field is an INVALID_PARAMS error naming it. */
export class Params {
  readonly #value: Record<string, unknown>;

  constructor(value: unknown) {
    if (value === undefined || value === null) this.#value = {};
    else if (typeof value === 'object' && !Array.isArray(value)) {
      this.#value = value as Record<string, unknown>;
    } else throw new AppError('INVALID_PARAMS', 'params must be an object of named fields');
  }

  /**
   * The params of a request to a method, checked against its schema: a name it does not take
   * is refused (with the name it most likely meant), and each given field must have its type.
   */
  static checked(spec: MethodSpec, value: unknown): Params {
    const params = new Params(value);
    const known = Object.keys(spec.params);
    for (const key of Object.keys(params.#value)) {
      const param = spec.params[key];
      if (param === undefined) {
        const guess = closest(key, known);
        const hint = guess === undefined ? '' : `; did you mean "${guess}"?`;
        const takes = known.length === 0 ? 'takes no params' : `takes ${known.join(', ')}`;
        throw new AppError('INVALID_PARAMS', `unknown param "${key}"${hint} (the method ${takes})`);
      }
      if (params.#value[key] === undefined) continue;
      switch (param.type) {
        case 'string':
          params.string(key);
          break;
        case 'text':
          params.text(key);
          break;
        case 'userId':
          params.userId(key);
          break;
        case 'userIds':
          params.optionalUserIds(key);
          break;
        case 'boolean':
          params.boolean(key);
          break;
        case 'count':
          params.optionalCount(key);
          break;
      }
    }
    return params;
  }

  string(key: string): string {
    const v = this.#value[key];
    if (typeof v !== 'string') throw invalid(key, 'a string');
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.#value[key] === undefined ? undefined : this.string(key);
  }

  text(key: string): string {
    const v = this.string(key);
    if (v.trim() === '') throw invalid(key, 'non-empty text');
    return v;
  }

  userId(key: string): UserId {
    const v = this.string(key);
    if (!isUserId(v)) throw invalid(key, 'a user ID (u followed by 52 base32 characters)');
    return v;
  }

  optionalUserIds(key: string): UserId[] | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every(isUserId)) throw invalid(key, 'an array of user IDs');
    return v;
  }

  boolean(key: string): boolean {
    const v = this.#value[key];
    if (typeof v !== 'boolean') throw invalid(key, 'true or false');
    return v;
  }

  optionalBoolean(key: string): boolean | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw invalid(key, 'true or false');
    return v;
  }

  optionalCount(key: string): number | undefined {
    const v = this.#value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw invalid(key, 'a non-negative integer');
    }
    return v;
  }
}

function invalid(key: string, what: string): AppError {
  return new AppError('INVALID_PARAMS', `"${key}" must be ${what}`);
}

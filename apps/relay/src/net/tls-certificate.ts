import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { TlsFiles } from '../config/settings.ts';
import { RelayError, describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';

/** A certificate and its key as read from their files, checked to belong together. */
export interface TlsCertificate {
  /** PEM, as libp2p's WebSockets transport takes them. */
  readonly cert: string;
  readonly key: string;
  /** For the logs: which certificate is in use. */
  readonly subject: string;
  readonly validTo: string;
  readonly fingerprint256: string;
  readonly expired: boolean;
}

/**
 * Reads the certificate and key files and checks them: a PEM certificate, a PEM private key,
 * the key the certificate's, and both usable by Node's TLS. Any fault is a RelayError
 * (TLS_UNUSABLE) naming the file and what is wrong, so a bad file never replaces a good one.
 */
async function readTlsCertificate(
  files: TlsFiles,
  now: Date = new Date(),
): Promise<TlsCertificate> {
  const cert = await readPem(files.certFile, 'certificate');
  const key = await readPem(files.keyFile, 'private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (cause) {
    throw unusable(`${files.certFile} holds no PEM certificate: ${describeError(cause)}`, cause);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (cause) {
    throw unusable(`${files.keyFile} holds no PEM private key: ${describeError(cause)}`, cause);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw unusable(`the key in ${files.keyFile} is not the key of ${files.certFile}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (cause) {
    throw unusable(`TLS cannot use ${files.certFile}: ${describeError(cause)}`, cause);
  }
  return {
    cert,
    key,
    subject: x509.subject.replace(/\n/g, ', '),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
    expired: new Date(x509.validTo).getTime() < now.getTime(),
  };
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw unusable(`cannot read the TLS ${what} ${path}: ${describeError(cause)}`, cause);
  }
}

function unusable(message: string, cause?: unknown): RelayError {
  return new RelayError('TLS_UNUSABLE', message, cause === undefined ? {} : { cause });
}

/** What the logs say of a certificate. */
function certificateFields(c: TlsCertificate): Record<string, string> {
  return { subject: c.subject, validTo: c.validTo, fingerprint256: c.fingerprint256 };
}

/**
 * The relay's certificate over its life: read at start, read again on request (SIGHUP) and
 * handed to libp2p when the new files are good. New TLS connections use the new certificate,
 * open ones keep theirs; files that are not usable leave the one in use in place.
 */
export class RelayCertificate {
  readonly #files: TlsFiles;
  readonly #log: Logger;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(files: TlsFiles, log: Logger) {
    this.#files = files;
    this.#log = log;
  }

  /** Reads and checks the files (TLS_UNUSABLE if they are not usable). */
  static async load(
    files: TlsFiles,
    log: Logger,
  ): Promise<{ relayCertificate: RelayCertificate; certificate: TlsCertificate }> {
    const certificate = await readTlsCertificate(files);
    const relayCertificate = new RelayCertificate(files, log);
    relayCertificate.#report('loaded the TLS certificate', certificate);
    return { relayCertificate, certificate };
  }

  /**
   * Reads the files again and, if they are usable, hands them to `use`; resolves to whether it
   * did. Reloads run one after another, so the last request's files win.
   */
  reload(use: (certificate: TlsCertificate) => void): Promise<boolean> {
    const next = this.#queue.then(async () => {
      let certificate: TlsCertificate;
      try {
        certificate = await readTlsCertificate(this.#files);
      } catch (error) {
        this.#log.error(
          `could not reload the TLS certificate, the one in use stays: ${describeError(error)}`,
          { code: (error as { code?: unknown }).code ?? 'TLS_UNUSABLE' },
        );
        return false;
      }
      use(certificate);
      this.#report('reloaded the TLS certificate: new connections use it', certificate);
      return true;
    });
    this.#queue = next;
    return next;
  }

  #report(msg: string, certificate: TlsCertificate): void {
    this.#log.info(msg, { ...certificateFields(certificate), certFile: this.#files.certFile });
    if (certificate.expired) {
      this.#log.warn('the TLS certificate has expired: browsers refuse it', {
        validTo: certificate.validTo,
      });
    }
  }
}

// IEEE 754 binary16 conversions, done by hand because Math.f16round is not in every target runtime.

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The binary16 bit pattern of `value` when binary16 holds it exactly, else undefined.
 * `value` must already be exact as a binary32 and must not be NaN.
 */
export function exactFloat16Bits(value: number): number | undefined {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponentField = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponentField === 0xff) return mantissa === 0 ? sign | 0x7c00 : undefined;
  // binary32 subnormals (< 2^-126) are far below the smallest binary16 subnormal (2^-24).
  if (exponentField === 0) return mantissa === 0 ? sign : undefined;
  const exponent = exponentField - 127;
  if (exponent > 15 || exponent < -24) return undefined;
  if (exponent >= -14) {
    // Normal binary16: 10 of binary32's 23 mantissa bits survive.
    return (mantissa & 0x1fff) === 0
      ? sign | ((exponent + 15) << 10) | (mantissa >>> 13)
      : undefined;
  }
  // Subnormal binary16: value = m * 2^-24, so the significand shifts right by -(exponent + 1).
  const significand = mantissa | 0x800000;
  const shift = -(exponent + 1);
  return (significand & ((1 << shift) - 1)) === 0 ? sign | (significand >>> shift) : undefined;
}

export function float16BitsToNumber(bits: number): number {
  const exponentField = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  let magnitude: number;
  if (exponentField === 0) magnitude = mantissa * 2 ** -24;
  else if (exponentField === 0x1f) magnitude = mantissa === 0 ? Infinity : NaN;
  else magnitude = (mantissa + 0x400) * 2 ** (exponentField - 25);
  return (bits & 0x8000) === 0 ? magnitude : -magnitude;
}

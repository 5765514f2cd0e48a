// @peculiar/x509 needs the Reflect metadata API (its dependency injection) loaded first.
import 'reflect-metadata';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A certificate and its key, PEM, as a relay operator would have them in files. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, as node:tls reports it (AA:BB:...). */
  readonly fingerprint256: string;
}

/**
 * A self-signed ECDSA P-256 certificate for 127.0.0.1, made in the test: a client trusts it by
 * passing it as its only CA.
 */
export async function selfSignedFor127(name: string): Promise<PemPair> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${name}`,
      keys,
      signingAlgorithm: algorithm,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const cert = certificate.toString('pem');
  return {
    cert,
    key: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    fingerprint256: new X509Certificate(cert).fingerprint256,
  };
}

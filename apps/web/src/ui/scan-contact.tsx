import { useEffect, useRef, useState } from 'preact/hooks';
import { QrScanner } from '../model/qr-scanner.ts';

/**
 * Scanning a contact's QR code with the camera: the camera shows until a code is read (handed
 * to `onLink`) or the person stops; the camera is released either way.
 */
export function ScanContact({
  onLink,
  onClose,
}: {
  onLink: (link: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    const element = video.current;
    if (element === null) return;
    const scanner = new QrScanner(element);
    scanner.start(onLink).catch((error: unknown) => {
      scanner.stop();
      setProblem(
        `The camera is not available: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return () => {
      scanner.stop();
    };
  }, [onLink]);
  return (
    <div class="scan" role="group" aria-label="Scan a QR code">
      <video ref={video} class="scan-video" muted playsInline aria-label="Camera" />
      <p class="muted">Point the camera at their contact link's QR code.</p>
      {problem !== '' && <p role="alert">{problem}</p>}
      <button type="button" onClick={onClose}>
        Stop scanning
      </button>
    </div>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { VoiceRecorder } from '../model/voice-recorder.ts';

/**
 * Recording a voice message: one button starts, then the person sends or cancels it. The
 * microphone is asked for on the first press, never before, and released when done.
 */
export function VoiceButton({
  disabled,
  onRecorded,
}: {
  disabled: boolean;
  onRecorded: (file: File) => void;
}) {
  const [recorder, setRecorder] = useState<VoiceRecorder | undefined>();
  const [seconds, setSeconds] = useState(0);
  const [problem, setProblem] = useState('');
  const live = useRef<VoiceRecorder | undefined>(undefined);

  useEffect(() => {
    if (recorder === undefined) return;
    const timer = setInterval(() => {
      setSeconds(Math.floor((Date.now() - recorder.startedAt) / 1000));
    }, 500);
    return () => {
      clearInterval(timer);
    };
  }, [recorder]);
  // Leaving the room drops a recording under way.
  useEffect(
    () => () => {
      live.current?.cancel();
    },
    [],
  );

  const set = (r: VoiceRecorder | undefined): void => {
    live.current = r;
    setRecorder(r);
    setSeconds(0);
  };

  if (recorder === undefined) {
    return (
      <>
        <button
          type="button"
          disabled={disabled}
          onClick={() => {
            setProblem('');
            VoiceRecorder.start(Date.now()).then(set, (error: unknown) => {
              setProblem(
                `No microphone: ${error instanceof Error ? error.message : String(error)}`,
              );
            });
          }}
        >
          Record voice message
        </button>
        {problem !== '' && (
          <span role="alert" class="error">
            {problem}
          </span>
        )}
      </>
    );
  }
  return (
    <span class="recording" role="group" aria-label="Recording a voice message">
      <span role="status">Recording… {seconds} s</span>{' '}
      <button
        type="button"
        onClick={() => {
          set(undefined);
          void recorder.stop().then(onRecorded);
        }}
      >
        Send voice message
      </button>{' '}
      <button
        type="button"
        onClick={() => {
          recorder.cancel();
          set(undefined);
        }}
      >
        Cancel recording
      </button>
    </span>
  );
}

import { useEffect, useRef } from 'preact/hooks';

/** A modal question (a native dialog: focus is trapped, Escape cancels). */
export function Confirm({
  question,
  action,
  onAnswer,
}: {
  question: string;
  action: string;
  onAnswer: (yes: boolean) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-label={question}
      onCancel={() => {
        onAnswer(false);
      }}
    >
      <p>{question}</p>
      <div class="dialog-actions">
        <button
          type="button"
          onClick={() => {
            onAnswer(false);
          }}
        >
          Cancel
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            onAnswer(true);
          }}
        >
          {action}
        </button>
      </div>
    </dialog>
  );
}

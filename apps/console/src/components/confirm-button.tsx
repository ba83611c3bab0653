// An action that needs a second look: the button opens a modal dialog (the browser's own <dialog>:
// focus moves in, Escape cancels, focus returns) that says what will happen, then runs it.
import { useId, useRef, useState, type ReactNode } from 'react';
import { problemOf, type Problem } from '../problems';
import { ProblemNotice } from './problem-notice';

export interface ConfirmButtonProps {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  disabled?: boolean;
  onConfirm: () => Promise<unknown>;
}

export function ConfirmButton({ label, title, children, confirmLabel, tone = 'primary', disabled = false, onConfirm }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const open = () => {
    setProblem(null);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setPending(true);
    setProblem(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <button type="button" className={`button button-${tone}`} disabled={disabled} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <div className="dialog-body">{children}</div>
        {problem !== null && <ProblemNotice problem={problem} />}
        <div className="dialog-actions">
          <button type="button" className="button" autoFocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" className={`button button-${tone}`} disabled={pending} onClick={() => void confirm()}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

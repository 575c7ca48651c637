import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  className?: string;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Open dialogs, the one on top last: only it answers Tab and Escape. */
const open: HTMLElement[] = [];

/**
 * A modal dialog: focus moves in, Tab stays inside, Escape closes, focus returns on close.
 * Tab and Escape are heard on the whole document, wherever the focus is: a control that became
 * disabled, or a click on the dialog's text, leaves it on the page behind.
 */
export function Modal({ title, onClose, children, className }: Props) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement as HTMLElement | null;
    const first =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    open.push(dialog);

    const onKeyDown = (e: KeyboardEvent) => {
      if (open.at(-1) !== dialog || e.isComposing) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        onCloseRef.current();
      } else if (e.key === 'Tab') {
        keepTabInside(dialog, e);
      }
    };
    // The control that had the focus turned disabled (Add, while adding): the dialog takes the
    // focus, so Tab and a screen reader go on from inside it.
    const onDisabled = new MutationObserver(() => {
      const active = document.activeElement;
      if (!active || active === document.body || active.matches(':disabled')) dialog.focus();
    });
    onDisabled.observe(dialog, { subtree: true, attributeFilter: ['disabled'] });
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      onDisabled.disconnect();
      open.splice(open.indexOf(dialog), 1);
      previous?.focus?.();
    };
  }, []);

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`modal ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** Tab from the last control goes to the first, and from outside the controls to one of them. */
function keepTabInside(dialog: HTMLElement, e: KeyboardEvent) {
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items.at(-1);
  const active = document.activeElement;
  if (!first || !last) return;
  const lost = active === dialog || !dialog.contains(active);
  if (e.shiftKey && (lost || active === first)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (lost || active === last)) {
    e.preventDefault();
    first.focus();
  }
}

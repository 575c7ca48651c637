import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AfterQueue } from '../../shared/api/commands.ts';
import { useApp } from '../app/context.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';

/** The countdown before "quit" or "sleep" once the queue finished, with a way out. */
export function AfterQueueCountdown() {
  const pending = useApp((s) => s.afterQueue);
  // One per countdown: each decides afresh whether it may take the focus.
  return pending ? <Countdown key={pending.at} pending={pending} /> : null;
}

/** Where the user is busy: typing, or in a dialog. The countdown must not take the keys there. */
function busyAt(element: Element | null): boolean {
  if (!(element instanceof HTMLElement)) return false;
  return (
    element.isContentEditable ||
    /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName) ||
    element.closest('[role="dialog"], [role="alertdialog"], dialog') !== null
  );
}

function Countdown({ pending }: { pending: AfterQueue }) {
  const t = useT();
  const run = useCommand();
  const [now, setNow] = useState(() => Date.now());
  const [takesFocus] = useState(() => !busyAt(document.activeElement));
  const box = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  /** Where the focus was before it came to the countdown: it goes back there when it ends. */
  const cameFrom = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  useLayoutEffect(() => {
    const element = box.current;
    if (takesFocus) {
      if (document.activeElement instanceof HTMLElement) cameFrom.current = document.activeElement;
      cancel.current?.focus();
    }
    return () => {
      const active = document.activeElement;
      const back = cameFrom.current;
      const here = !active || active === document.body || element?.contains(active);
      if (here && back?.isConnected) back.focus();
    };
  }, [takesFocus]);
  const seconds = Math.max(0, Math.ceil((pending.at - now) / 1000));
  return (
    <div
      ref={box}
      className="countdown"
      // Announced without taking the keyboard from where the user types.
      role={takesFocus ? 'alertdialog' : 'alert'}
      aria-labelledby="countdown-text"
      onFocus={(e) => {
        const from = e.relatedTarget;
        if (from instanceof HTMLElement && !e.currentTarget.contains(from)) cameFrom.current = from;
      }}
    >
      <span id="countdown-text">{t(`whenDone.countdown.${pending.action}`, { seconds })}</span>
      <button
        ref={cancel}
        type="button"
        className="primary"
        onClick={() => void run('app.cancelAfterQueue', {})}
      >
        {t('whenDone.cancel')}
      </button>
    </div>
  );
}

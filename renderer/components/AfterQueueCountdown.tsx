import { useEffect, useState } from 'react';
import { useApp } from '../app/context.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';

/** The countdown before "quit" or "sleep" once the queue finished, with a way out. */
export function AfterQueueCountdown() {
  const t = useT();
  const run = useCommand();
  const pending = useApp((s) => s.afterQueue);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!pending) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [pending]);
  if (!pending) return null;
  const seconds = Math.max(0, Math.ceil((pending.at - now) / 1000));
  return (
    <div className="countdown" role="alertdialog" aria-labelledby="countdown-text">
      <span id="countdown-text">{t(`whenDone.countdown.${pending.action}`, { seconds })}</span>
      <button
        type="button"
        className="primary"
        autoFocus
        onClick={() => void run('app.cancelAfterQueue', {})}
      >
        {t('whenDone.cancel')}
      </button>
    </div>
  );
}

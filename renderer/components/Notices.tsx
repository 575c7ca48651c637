import { useEffect } from 'react';
import { useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';

const INFO_MS = 3000;

/** Non-modal messages: errors stay until dismissed, confirmations fade on their own. */
export function Notices() {
  const t = useT();
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismiss);
  useEffect(() => {
    const timers = notices
      .filter((n) => n.kind === 'info')
      .map((n) => setTimeout(() => dismiss(n.id), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismiss]);
  return (
    <section className="notices" aria-label={t('notice.region')} aria-live="polite">
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice notice-${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{notice.text}</span>
          <button type="button" onClick={() => dismiss(notice.id)} aria-label={t('notice.dismiss')}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}

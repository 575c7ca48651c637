import { useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';

/** A quiet offer for copied links: no focus taken, nothing started until the user says so. */
export function LinkOffer() {
  const t = useT();
  const urls = useApp((s) => s.linkOffer);
  const dismiss = useApp((s) => s.dismissLinkOffer);
  const requestAdd = useApp((s) => s.requestAdd);
  if (!urls) return null;
  return (
    <div className="link-offer" role="status">
      <span>{t('clipboard.offer', { links: urls.join(', ') })}</span>
      <button
        type="button"
        className="primary"
        onClick={() => {
          dismiss();
          requestAdd(urls);
        }}
      >
        {t('clipboard.download')}
      </button>
      <button type="button" onClick={dismiss}>
        {t('notice.dismiss')}
      </button>
    </div>
  );
}

import { useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';

/**
 * Says so while the page has lost `braid serve`: commands fail meanwhile, and what it shows stops
 * moving. A host that refuses the page (restarted with another token) needs the new address.
 */
export function ConnectionBanner() {
  const t = useT();
  const connection = useApp((s) => s.connection);
  if (connection === 'connected') return null;
  return (
    <p className={`connection-banner connection-${connection}`} role="alert">
      {t(connection === 'refused' ? 'connection.refused' : 'connection.reconnecting')}
    </p>
  );
}

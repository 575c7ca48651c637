import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';
import { displayName } from '../store/app-store.ts';
import { Modal } from './Modal.tsx';

/** Confirms removing one or several downloads, optionally with their files. */
export function RemoveDialog() {
  const ids = useApp((s) => s.removing);
  return ids ? <Confirm ids={ids} /> : null;
}

function Confirm({ ids }: { ids: string[] }) {
  const t = useT();
  const run = useCommand();
  const cancel = useApp((s) => s.cancelRemove);
  const names = useApp(
    useShallow((s) => ids.flatMap((id) => (s.tasks[id] ? [displayName(s.tasks[id])] : []))),
  );
  const [deleteFile, setDeleteFile] = useState(false);
  if (names.length === 0) return null;
  return (
    <Modal
      title={names.length === 1 ? t('remove.title') : t('remove.titleMany')}
      onClose={cancel}
      className="remove-dialog"
    >
      <p>
        {names.length === 1
          ? t('remove.question', { name: names[0] as string })
          : t('remove.many', { count: names.length })}
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={deleteFile}
          onChange={(e) => setDeleteFile(e.target.checked)}
        />
        {t('remove.deleteFile')}
      </label>
      <div className="modal-actions">
        <button type="button" onClick={cancel}>
          {t('remove.keep')}
        </button>
        <button
          type="button"
          className="danger"
          data-autofocus
          onClick={() => {
            cancel();
            for (const id of ids) void run('tasks.remove', { id, deleteFile });
          }}
        >
          {t('remove.confirm')}
        </button>
      </div>
    </Modal>
  );
}

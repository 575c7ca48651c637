import { useState } from 'react';
import { useApp } from '../app/context.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';
import { displayName } from '../store/app-store.ts';
import { Modal } from './Modal.tsx';

export function RemoveDialog({ id, onClose }: { id: string; onClose(): void }) {
  const t = useT();
  const run = useCommand();
  const task = useApp((s) => s.tasks[id]);
  const [deleteFile, setDeleteFile] = useState(false);
  if (!task) return null;
  return (
    <Modal title={t('remove.title')} onClose={onClose} className="remove-dialog">
      <p>{t('remove.question', { name: displayName(task) })}</p>
      <label className="check">
        <input
          type="checkbox"
          checked={deleteFile}
          onChange={(e) => setDeleteFile(e.target.checked)}
        />
        {t('remove.deleteFile')}
      </label>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          {t('remove.keep')}
        </button>
        <button
          type="button"
          className="danger"
          data-autofocus
          onClick={() => {
            onClose();
            void run('tasks.remove', { id, deleteFile });
          }}
        >
          {t('remove.confirm')}
        </button>
      </div>
    </Modal>
  );
}

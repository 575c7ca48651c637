import { useCallback } from 'react';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/api/commands.ts';
import { useT } from '../i18n/i18n.ts';
import { useApi, useAppStore } from './context.ts';
import { errorText, isDisconnected } from './error-text.ts';

/** Runs a command; a failure becomes a visible notice instead of a silent rejection. */
export function useCommand() {
  const api = useApi();
  const store = useAppStore();
  const t = useT();
  return useCallback(
    async <C extends CommandName>(
      command: C,
      input: CommandInput<C>,
    ): Promise<CommandOutput<C> | undefined> => {
      try {
        return await api.call(command, input);
      } catch (error) {
        // Said while the connection is down, and gone once it is back.
        store.getState().notify('error', errorText(error, t), {
          untilConnected: isDisconnected(error),
        });
        return undefined;
      }
    },
    [api, store, t],
  );
}

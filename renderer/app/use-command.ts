import { useCallback } from 'react';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/api/commands.ts';
import { useApi, useAppStore } from './context.ts';

/** Runs a command; a failure becomes a visible notice instead of a silent rejection. */
export function useCommand() {
  const api = useApi();
  const store = useAppStore();
  return useCallback(
    async <C extends CommandName>(
      command: C,
      input: CommandInput<C>,
    ): Promise<CommandOutput<C> | undefined> => {
      try {
        return await api.call(command, input);
      } catch (error) {
        store.getState().notify('error', (error as Error).message);
        return undefined;
      }
    },
    [api, store],
  );
}

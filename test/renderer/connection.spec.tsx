import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from './render-app.tsx';

describe('the connection to braid serve', () => {
  it('says when it is lost and being tried again, and when the host refuses the page, then nothing once back', () => {
    const { api } = renderApp();
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => api.connection('reconnecting'));
    expect(screen.getByRole('alert').textContent).toBe(
      'Lost the connection to Braid; trying again…',
    );
    act(() => api.connection('refused'));
    expect(screen.getByRole('alert').textContent).toBe(
      'Braid no longer accepts this page (it was restarted with a new address): open the address braid serve printed.',
    );
    act(() => api.connection('connected'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

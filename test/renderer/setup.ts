import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has no layout: give elements a size so the virtualised list renders its rows.
for (const [name, value] of Object.entries({
  offsetHeight: 800,
  offsetWidth: 1000,
  clientHeight: 800,
  clientWidth: 1000,
})) {
  Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
}
HTMLElement.prototype.getBoundingClientRect = function () {
  return {
    x: 0,
    y: 0,
    top: 0,
    left: 0,
    bottom: 800,
    right: 1000,
    width: 1000,
    height: 800,
    toJSON: () => ({}),
  };
};
window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addEventListener: () => {},
  removeEventListener: () => {},
  addListener: () => {},
  removeListener: () => {},
  dispatchEvent: () => false,
})) as typeof window.matchMedia;

afterEach(() => cleanup());

/** Macs label the modifier ⌘ (both it and Ctrl work everywhere in the app). */
const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** A button's tooltip naming its shortcut, as the user's keyboard labels it: "Add (Ctrl+Enter)". */
export function shortcutHint(label: string, keys: string): string {
  return `${label} (${MAC ? keys.replace('Ctrl+', '⌘') : keys})`;
}

import { useState } from 'react';
import type { Category } from '../../shared/api/settings.ts';
import { useT } from '../i18n/i18n.ts';
import { FieldError, useInvalid } from './FieldProblem.tsx';

/** The category table: each kind of file, its extensions and its folder, all editable. */
export function CategoriesEditor({
  enabled,
  categories,
  onChange,
}: {
  enabled: boolean;
  categories: Category[];
  onChange(next: { useCategories?: boolean; categories?: Category[] }): void;
}) {
  const t = useT();
  const invalid = useInvalid();
  const update = (index: number, change: Partial<Category>) =>
    onChange({ categories: categories.map((c, i) => (i === index ? { ...c, ...change } : c)) });
  return (
    <fieldset className="categories">
      <legend>
        <label className="check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => onChange({ useCategories: e.target.checked })}
          />
          {t('categories.use')}
        </label>
      </legend>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('categories.name')}</th>
            <th scope="col">{t('categories.extensions')}</th>
            <th scope="col" title={t('categories.dirHint')}>
              {t('categories.dir')}
            </th>
          </tr>
        </thead>
        <tbody>
          {categories.map((category, index) => (
            <tr key={index}>
              <td>
                <input
                  aria-label={`${t('categories.name')} ${index + 1}`}
                  value={category.name}
                  disabled={!enabled}
                  onChange={(e) => update(index, { name: e.target.value })}
                  {...invalid(`categories.${index}.name`)}
                />
              </td>
              <td>
                <ExtensionsInput
                  label={`${t('categories.extensions')}: ${category.name}`}
                  extensions={category.extensions}
                  disabled={!enabled}
                  onChange={(extensions) => update(index, { extensions })}
                  {...invalid(`categories.${index}.extensions`)}
                />
              </td>
              <td>
                <input
                  aria-label={`${t('categories.dir')}: ${category.name}`}
                  value={category.dir}
                  placeholder={category.name}
                  disabled={!enabled}
                  onChange={(e) => update(index, { dir: e.target.value })}
                  {...invalid(`categories.${index}.dir`)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError under="categories" />
    </fieldset>
  );
}

/**
 * The extensions as typed: the list is taken from the text on each change, but the text is shown
 * as typed (a separator being typed stays, the cursor stays put) and tidied only on leaving.
 */
function ExtensionsInput({
  label,
  extensions,
  disabled,
  onChange,
  ...aria
}: {
  label: string;
  extensions: string[];
  disabled: boolean;
  onChange(extensions: string[]): void;
} & React.AriaAttributes) {
  const [text, setText] = useState(() => extensions.join(', '));
  return (
    <input
      aria-label={label}
      value={text}
      disabled={disabled}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseExtensions(e.target.value));
      }}
      onBlur={() => setText(extensions.join(', '))}
      {...aria}
    />
  );
}

function parseExtensions(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((x) => x.replace(/^\./, '').toLowerCase())
    .filter(Boolean);
}

import type { Category } from '../../shared/api/settings.ts';
import { useT } from '../i18n/i18n.ts';

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
                />
              </td>
              <td>
                <input
                  aria-label={`${t('categories.extensions')}: ${category.name}`}
                  value={category.extensions.join(', ')}
                  disabled={!enabled}
                  onChange={(e) =>
                    update(index, {
                      extensions: e.target.value
                        .split(/[\s,;]+/)
                        .map((x) => x.replace(/^\./, '').toLowerCase())
                        .filter(Boolean),
                    })
                  }
                />
              </td>
              <td>
                <input
                  aria-label={`${t('categories.dir')}: ${category.name}`}
                  value={category.dir}
                  placeholder={category.name}
                  disabled={!enabled}
                  onChange={(e) => update(index, { dir: e.target.value })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

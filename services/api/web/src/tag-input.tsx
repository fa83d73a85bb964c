/**
 * Choose or create tags: chips plus a combobox whose suggestions come from the user's tags.
 * Enter or comma adds, arrows move through suggestions, Backspace on empty removes the last.
 */
import { useId, useState } from 'preact/hooks';
import type { Tag } from './api';
import { useI18n } from './i18n';

interface Props {
  value: string[];
  onChange: (tags: string[]) => void;
  suggestions: Tag[];
  label: string;
}

export function TagInput({ value, onChange, suggestions, label }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const lower = new Set(value.map((v) => v.toLowerCase()));
  const query = text.trim().toLowerCase();
  const matches = suggestions
    .filter((tag) => !lower.has(tag.name.toLowerCase()) && tag.name.toLowerCase().includes(query))
    .slice(0, 8)
    .map((tag) => tag.name);
  const options =
    query && !matches.some((m) => m.toLowerCase() === query) && !lower.has(query) ? [...matches, text.trim()] : matches;
  const expanded = open && options.length > 0;

  const add = (name: string) => {
    const clean = name.trim().slice(0, 64);
    if (clean && !lower.has(clean.toLowerCase())) onChange([...value, clean]);
    setText('');
    setActive(-1);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' && options.length) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length) {
      event.preventDefault();
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (event.key === 'Enter' || event.key === ',') {
      if (!text.trim() && event.key === 'Enter') return;
      event.preventDefault();
      add(expanded && active >= 0 ? (options[active] ?? text) : text);
    } else if (event.key === 'Escape') {
      setOpen(false);
    } else if (event.key === 'Backspace' && !text && value.length) {
      onChange(value.slice(0, -1));
    }
  };

  return (
    <div class="tag-input">
      <label for={`${id}-input`}>{label}</label>
      <div class="tag-input-box">
        <ul class="chips" aria-label={label}>
          {value.map((name) => (
            <li key={name} class="chip">
              <span>{name}</span>
              <button
                type="button"
                class="chip-remove"
                aria-label={t('tags.remove', { name })}
                onClick={() => onChange(value.filter((v) => v !== name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={`${id}-input`}
          type="text"
          role="combobox"
          autocomplete="off"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={`${id}-list`}
          aria-describedby={`${id}-hint`}
          aria-activedescendant={expanded && active >= 0 ? `${id}-opt-${active}` : undefined}
          placeholder={t('tags.input')}
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLInputElement).value);
            setOpen(true);
            setActive(-1);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setTimeout(() => setOpen(false), 150);
            if (text.trim()) add(text);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      <p id={`${id}-hint`} class="hint">
        {t('tags.inputHint')}
      </p>
      {expanded && (
        <div id={`${id}-list`} role="listbox" class="listbox" aria-label={t('tags.suggestions')}>
          {options.map((name, i) => (
            <div
              key={name}
              id={`${id}-opt-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              class={i === active ? 'option active' : 'option'}
              onMouseDown={(e) => {
                e.preventDefault();
                add(name);
              }}
            >
              {matches.includes(name) ? name : t('tags.create', { name })}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

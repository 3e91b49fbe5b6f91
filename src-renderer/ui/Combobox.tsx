import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { referenceOptionText, type ReferenceOption } from '../../src-shared/ipc';

/** Options listed at once; typing narrows the rest. */
const MAX_LISTED = 50;

/**
 * A picker with search (the ARIA 1.2 combobox pattern, list autocomplete): the input shows the
 * chosen option by code and name ("M — Materials"), typing filters the options by code, name or
 * detail, the arrow keys move through them, Enter or a click picks one, Escape closes the list
 * and keeps the value. What is stored is the option's `value` (an id or a code). Text that
 * matches no option is kept as typed when the field is left, so the save can say what is wrong.
 */
export function Combobox({
  value,
  options,
  onChange,
  label,
  system,
  placeholder,
  inputProps,
  unknownIsProblem,
}: {
  /** The stored value ('' when empty). */
  value: string;
  options: readonly ReferenceOption[];
  onChange: (value: string) => void;
  /** The accessible name, e.g. "Procore cost code, row 3". */
  label: string;
  /** Where the options come from, for the hint under an unknown value ("not in Procore"). */
  system: string;
  placeholder?: string | undefined;
  /** Extra attributes for the input (data-* hooks). */
  inputProps?: Record<string, string | undefined>;
  /** A value that is no option cannot be saved (targets); otherwise it is only flagged (source values). */
  unknownIsProblem: boolean;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const [query, setQuery] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  // A table renders hundreds of these: the lookup is shared per option list, and the list is
  // filtered only while it is open.
  const chosen = indexOf(options).get(value);
  const shownText = chosen ? referenceOptionText(chosen) : value;
  const filtered = useMemo(() => (open ? filterOptions(options, query === null || query === shownText ? '' : query) : []), [open, options, query, shownText]);
  const listed = filtered.slice(0, MAX_LISTED);
  const activeOption = open ? listed[Math.min(active, listed.length - 1)] : undefined;
  const optionId = (index: number) => `${id}-option-${index}`;

  const choose = (option: ReferenceOption) => {
    setQuery(null);
    setOpen(false);
    if (option.value !== value) onChange(option.value);
  };
  /** Leaving the field: the typed text becomes the option it names exactly, or stays as typed. */
  const commit = () => {
    setOpen(false);
    if (query === null) return;
    setQuery(null);
    const text = query.trim();
    if (text === shownText) return;
    const match = exactMatch(options, text);
    const next = match ? match.value : text;
    if (next !== value) onChange(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) {
        setOpen(true);
        // Closed, nothing is filtered yet: the list it opens with is what the query selects.
        const opening = filterOptions(options, query === null || query === shownText ? '' : query).slice(0, MAX_LISTED);
        const current = opening.findIndex((o) => o.value === value);
        setActive(current >= 0 ? current : 0);
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((index) => Math.max(0, Math.min(listed.length - 1, index + step)));
    } else if (event.key === 'Enter' && open && activeOption) {
      event.preventDefault();
      choose(activeOption);
    } else if (event.key === 'Escape' && (open || query !== null)) {
      event.preventDefault();
      setOpen(false);
      setQuery(null);
    }
  };

  const problem =
    value !== '' && !chosen
      ? `${unknownIsProblem ? 'Not' : 'Not known'} in ${system}`
      : chosen?.inactive
        ? `Inactive in ${system}`
        : null;
  const hint = problem ?? (chosen && chosen.value !== chosen.code && chosen.value !== chosen.label ? `id ${chosen.value}` : null);

  return (
    <div className="combobox">
      <input
        {...inputProps}
        ref={input}
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={activeOption ? optionId(listed.indexOf(activeOption)) : undefined}
        aria-describedby={hint ? hintId : undefined}
        aria-invalid={problem && unknownIsProblem ? true : undefined}
        autoComplete="off"
        placeholder={placeholder}
        value={query ?? shownText}
        title={query === null && shownText ? shownText : undefined}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onClick={() => setOpen(true)}
        onKeyDown={onKeyDown}
        onBlur={commit}
      />
      <ul role="listbox" id={listId} aria-label={`${label}: choices`} className="combobox-list" hidden={!open}>
        {open
          ? listed.map((option, index) => (
              <li
                key={option.value}
                id={optionId(index)}
                role="option"
                aria-selected={option.value === value}
                className={option === activeOption ? 'is-active' : undefined}
                // Chosen before the input loses focus (a click would blur it first).
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(option);
                }}
              >
                <span className="combobox-text">{referenceOptionText(option)}</span>
                {option.detail || option.inactive ? (
                  <span className="hint"> {[option.inactive ? 'inactive' : null, option.detail].filter(Boolean).join(', ')}</span>
                ) : null}
              </li>
            ))
          : null}
        {open && listed.length === 0 ? (
          <li role="option" aria-disabled="true" aria-selected={false} className="combobox-empty">
            No match in {system}
          </li>
        ) : null}
      </ul>
      {open && filtered.length > listed.length ? (
        <span className="hint combobox-more">
          {filtered.length - listed.length} more: type to narrow
        </span>
      ) : null}
      {hint ? (
        <span id={hintId} className={`hint combobox-hint${problem ? ' warning' : ''}`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** Options whose code, name, value or detail contain every word typed (case and accents ignored). */
export function filterOptions(options: readonly ReferenceOption[], query: string): ReferenceOption[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...options];
  return options.filter((option) => {
    const text = fold(`${option.code ?? ''} ${option.label} ${option.value} ${option.detail ?? ''}`);
    return words.every((word) => text.includes(word));
  });
}

function exactMatch(options: readonly ReferenceOption[], text: string): ReferenceOption | undefined {
  const folded = fold(text);
  if (folded === '') return undefined;
  return (
    options.find((o) => o.value === text) ??
    options.find((o) => fold(o.value) === folded || (o.code !== null && fold(o.code) === folded)) ??
    options.find((o) => fold(referenceOptionText(o)) === folded || fold(o.label) === folded)
  );
}

function fold(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').trim();
}

const indexes = new WeakMap<readonly ReferenceOption[], Map<string, ReferenceOption>>();

/** Options by value, built once per option list (every picker of a column shares it). */
function indexOf(options: readonly ReferenceOption[]): Map<string, ReferenceOption> {
  let index = indexes.get(options);
  if (!index) {
    index = new Map(options.map((o) => [o.value, o]));
    indexes.set(options, index);
  }
  return index;
}

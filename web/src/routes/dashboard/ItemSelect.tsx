/**
 * A labelled select of loaded items (alerts, runs, proposals) for the control forms: disabled with
 * a placeholder option while the items load ("Loading…") or when there are none (`emptyText`).
 */

/** Props of {@link ItemSelect}. */
export interface ItemSelectProps<T extends { id: string }> {
  /** The select's element id (the label points at it). */
  id: string;
  label: string;
  /** The items; undefined while loading. */
  items: T[] | undefined;
  /** The chosen item's id ("" when none). */
  value: string;
  /** Shown as the only option when there are no items, e.g. "No alert is firing". */
  emptyText: string;
  /** The option text of an item. */
  optionText: (item: T) => string;
  onChange: (id: string) => void;
}

/** The field: label and select. */
export function ItemSelect<T extends { id: string }>({ id, label, items, value, emptyText, optionText, onChange }: ItemSelectProps<T>) {
  return (
    <div class="field grow">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={!items?.length} onChange={(e) => onChange(e.currentTarget.value)}>
        {!items?.length && <option value="">{items ? emptyText : "Loading…"}</option>}
        {items?.map((item) => (
          <option key={item.id} value={item.id}>
            {optionText(item)}
          </option>
        ))}
      </select>
    </div>
  );
}

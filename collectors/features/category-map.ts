export const OTHER_CATEGORY = 'other';

/**
 * Maps one categorical feature's values onto the baseline's top-K categories. Categories outside
 * the list keep their name (drift reports unseen categories by name) until `maxNew` distinct new
 * names have been seen in the current window; later ones become "other", so a feature with an
 * unbounded vocabulary (ids, free text) cannot grow the buffer's cardinality.
 */
export class CategoryMap {
  private readonly known: ReadonlySet<string>;
  private seenNew = new Set<string>();

  constructor(categories: readonly string[], private readonly maxNew: number) {
    this.known = new Set(categories);
  }

  map(category: string): string {
    if (this.known.has(category) || this.seenNew.has(category)) return category;
    if (this.seenNew.size >= this.maxNew) return OTHER_CATEGORY;
    this.seenNew.add(category);
    return category;
  }

  startWindow(): void {
    this.seenNew = new Set();
  }
}

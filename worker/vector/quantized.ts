/**
 * The in-memory part of the local vector index (the VectorStore Durable Object): unit vectors
 * scalar-quantised to int8, scanned to shortlist candidates that the object then re-ranks exactly.
 *
 * Layout, chosen for the 128 MB memory limit of a Durable Object and for scan speed:
 * - codes live in blocks of {@link BLOCK_ROWS} rows, each block column-major (all rows' code of
 *   dimension 0, then of dimension 1, …): `dims × 1024` bytes per block. The scan accumulates the
 *   int8 query's dimensions into Int32 sums per row, eight dimensions per pass over a block, so it
 *   can skip the query's zero dimensions (queries of the offline hashing embedder have ~100
 *   non-zero of 512) and runs tight loops over contiguous bytes. Adding rows adds blocks; nothing
 *   is copied or doubled;
 * - per row only typed arrays: the int8 scale (Float32), the row's key in SQLite (Float64) and, per
 *   metadata key, a Uint32 code into that key's dictionary of distinct values. No id strings and
 *   no metadata objects per row: ids stay in SQLite and are read back for the shortlist only;
 * - rows are dense: a removed row is replaced by the last row (swap-remove).
 *
 * At 100,000 × 512 dimensions that is 51.4 MB of codes plus ~20 bytes per row and the
 * dictionaries; {@link QuantizedIndex.memory} counts it.
 */
import type { VectorFilter } from "./types";

/** Rows per block of codes (a power of two). */
export const BLOCK_ROWS = 1024;
const BLOCK_SHIFT = 10;

/** A metadata value of the index (as in Vectorize: string, number or boolean). */
export type MetadataValue = string | number | boolean;

/**
 * Scalar quantisation of a vector to int8 with one scale (symmetric, max-abs): code
 * `round(v[i] / scale)` in -127..127 with `scale = max|v[i]| / 127` (1 for a zero vector), so that
 * `v[i] ≈ code · scale`.
 *
 * @param v The vector.
 * @param codes Receives the codes at `offset .. offset + v.length - 1`.
 * @param offset First index written in `codes`.
 * @returns The scale.
 */
export function quantize(v: Float32Array, codes: Int8Array, offset: number): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  const scale = max === 0 ? 1 : max / 127;
  for (let i = 0; i < v.length; i++) codes[offset + i] = Math.round(v[i] / scale);
  return scale;
}

/** Dictionary-encoded values of one metadata key: per row a code, 0 when the row lacks the key. */
class MetadataColumn {
  codes: Uint32Array;
  /** Code → value; index 0 is the absent value. Freed codes hold `undefined` until reused. */
  readonly values: (MetadataValue | undefined)[] = [undefined];
  /** Code → number of rows using it. */
  readonly refs: number[] = [0];
  /** Value → code (SameValueZero, i.e. `===` for strings, numbers other than NaN and booleans). */
  readonly codeOf = new Map<MetadataValue, number>();
  private readonly free: number[] = [];

  constructor(capacity: number) {
    this.codes = new Uint32Array(capacity);
  }

  /** The code of `value`, created when new; adds a reference. */
  acquire(value: MetadataValue): number {
    let code = this.codeOf.get(value);
    if (code === undefined) {
      code = this.free.pop() ?? this.values.length;
      this.values[code] = value;
      this.refs[code] = 0;
      this.codeOf.set(value, code);
    }
    this.refs[code]++;
    return code;
  }

  /** Drops a reference to `code` (0 is ignored); the value is forgotten with its last reference. */
  release(code: number): void {
    if (code === 0 || --this.refs[code] > 0) return;
    this.codeOf.delete(this.values[code]!);
    this.values[code] = undefined;
    this.free.push(code);
  }

  grow(capacity: number): void {
    const codes = new Uint32Array(capacity);
    codes.set(this.codes.subarray(0, Math.min(this.codes.length, capacity)));
    this.codes = codes;
  }
}

/** A row's test against a compiled filter. */
type RowTest = (slot: number) => boolean;

/** Bytes of the index: typed arrays counted exactly, JavaScript objects estimated. */
export interface IndexMemory {
  /** Allocated `byteLength` of each group of typed arrays (spare capacity included). */
  typedArrayBytes: { codes: number; scales: number; keys: number; metadataCodes: number };
  /**
   * Estimated bytes of the metadata dictionaries: per distinct value 48 bytes (Map entry, value
   * and reference slots) plus, for a string, V8's 16-byte header and one byte per character
   * (two when it holds a character above U+00FF), rounded up to 8.
   */
  estimatedObjectBytes: { dictionaries: number };
  /** Distinct values per metadata key. */
  dictionaryValues: Record<string, number>;
}

/**
 * Keeps the `k` highest scores of a stream with their slots: a binary min-heap in typed arrays.
 */
class ScoreHeap {
  readonly scores: Float64Array;
  readonly slots: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.slots = new Int32Array(k);
  }

  /** The lowest kept score once full, else -Infinity: a new score must beat it. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  push(score: number, slot: number): void {
    const { scores, slots } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (scores[p] <= score) break;
        scores[i] = scores[p];
        slots[i] = slots[p];
        i = p;
      }
      scores[i] = score;
      slots[i] = slot;
      return;
    }
    if (!(score > scores[0])) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && scores[r] < scores[l] ? r : l;
      if (scores[c] >= score) break;
      scores[i] = scores[c];
      slots[i] = slots[c];
      i = c;
    }
    scores[i] = score;
    slots[i] = slot;
  }

  /** Kept entries, best first (ties by ascending slot). */
  sorted(): { slot: number; score: number }[] {
    const out: { slot: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ slot: this.slots[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }
}

/**
 * int8 vectors of one dimension count with a numeric key (the row's SQLite key) and scalar
 * metadata per row. Slots (row positions, 0..size-1) change when rows are removed; keys do not.
 */
export class QuantizedIndex {
  readonly dims: number;
  private blocks: Int8Array[] = [];
  private scales: Float32Array;
  private keys: Float64Array;
  private readonly columns = new Map<string, MetadataColumn>();
  private rows = 0;
  private readonly scratch: Int8Array;

  /**
   * @param dims Dimensions of every vector, ≥ 1.
   * @throws RangeError when `dims` is not a positive integer.
   */
  constructor(dims: number) {
    if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);
    this.dims = dims;
    this.scales = new Float32Array(BLOCK_ROWS);
    this.keys = new Float64Array(BLOCK_ROWS);
    this.scratch = new Int8Array(dims);
  }

  /** Number of rows. */
  get size(): number {
    return this.rows;
  }

  /** The key of the row at `slot` (0..size-1). */
  keyAt(slot: number): number {
    return this.keys[slot];
  }

  /**
   * Adds a row.
   *
   * @param key The row's key (an integer from SQLite; not checked for uniqueness).
   * @param vector `dims` values, normally of unit length (the scan's scores are dot products).
   * @param metadata Scalar values by key; other values are ignored.
   * @returns The new row's slot.
   * @throws RangeError when `vector` does not have `dims` values.
   */
  append(key: number, vector: Float32Array, metadata: Readonly<Record<string, unknown>>): number {
    this.checkDims(vector);
    const slot = this.rows;
    if (slot === this.scales.length) this.growRows(this.scales.length * 2);
    if (slot >> BLOCK_SHIFT === this.blocks.length) this.blocks.push(new Int8Array(this.dims * BLOCK_ROWS));
    this.rows++;
    this.keys[slot] = key;
    this.write(slot, vector, metadata);
    return slot;
  }

  /**
   * Replaces the vector and metadata of the row at `slot`; its key stays.
   *
   * @throws RangeError when `slot` is not a row or `vector` does not have `dims` values.
   */
  update(slot: number, vector: Float32Array, metadata: Readonly<Record<string, unknown>>): void {
    this.checkSlot(slot);
    this.checkDims(vector);
    for (const column of this.columns.values()) {
      column.release(column.codes[slot]);
      column.codes[slot] = 0;
    }
    this.write(slot, vector, metadata);
  }

  /**
   * Slots of the rows whose key is in `keys`, by one pass over all rows (O(size)).
   *
   * @returns Key → slot for the keys found.
   */
  slotsOf(keys: ReadonlySet<number>): Map<number, number> {
    const out = new Map<number, number>();
    if (keys.size === 0) return out;
    const k = this.keys;
    for (let slot = 0; slot < this.rows; slot++) if (keys.has(k[slot])) out.set(k[slot], slot);
    return out;
  }

  /**
   * Removes rows; the last rows move into the freed slots, so other rows' slots change.
   * Frees a block of codes once two blocks are empty (one stays as spare).
   *
   * @param slots Slots to remove (duplicates ignored).
   * @throws RangeError when a slot is not a row.
   */
  removeSlots(slots: Iterable<number>): void {
    const list = [...new Set(slots)].sort((a, b) => b - a);
    for (const slot of list) this.checkSlot(slot);
    // Highest first: the last row, moved into `slot`, is never one still to be removed.
    for (const slot of list) {
      const last = this.rows - 1;
      for (const column of this.columns.values()) column.release(column.codes[slot]);
      if (slot !== last) this.move(last, slot);
      for (const column of this.columns.values()) column.codes[last] = 0;
      this.rows--;
    }
    const needed = (this.rows + BLOCK_ROWS - 1) >> BLOCK_SHIFT;
    if (this.blocks.length > needed + 1) this.blocks.length = needed + 1;
    const capacity = Math.max(BLOCK_ROWS, this.scales.length);
    if (this.rows < capacity / 4 && capacity > BLOCK_ROWS) this.growRows(Math.max(BLOCK_ROWS, capacity / 2));
  }

  /**
   * The `depth` rows with the highest approximate dot product with `query`, among the rows passing
   * `filter`. The query is quantised to int8 too ({@link quantize}), so a row's score is
   * `(Σ qcode·code) · qscale · scale`, summed exactly in integers (at most 127 · 127 · dims, far
   * below 2^31); dimensions whose query code is 0 are skipped.
   *
   * @param query `dims` values.
   * @param depth Rows to keep, ≥ 1.
   * @param filter Metadata filter with the semantics of `matchesFilter` (types.ts).
   * @returns Up to `depth` slots with their keys and approximate scores, best first.
   * @throws RangeError when `query` does not have `dims` values.
   */
  scan(query: Float32Array, depth: number, filter?: VectorFilter): { slot: number; key: number; score: number }[] {
    this.checkDims(query);
    const test = this.compile(filter);
    if (test === null || this.rows === 0) return [];
    const qcodes = new Int8Array(this.dims);
    const qscale = quantize(query, qcodes, 0);
    const offsets: number[] = [];
    const values: number[] = [];
    for (let d = 0; d < this.dims; d++) {
      if (qcodes[d] !== 0) {
        offsets.push(d * BLOCK_ROWS);
        values.push(qcodes[d]);
      }
    }
    const nz = offsets.length;
    const best = new ScoreHeap(Math.max(1, Math.floor(depth)));
    const acc = new Int32Array(BLOCK_ROWS);
    const scales = this.scales;
    for (let b = 0; b < this.blocks.length && b << BLOCK_SHIFT < this.rows; b++) {
      const block = this.blocks[b];
      const base = b << BLOCK_SHIFT;
      const n = Math.min(BLOCK_ROWS, this.rows - base);
      acc.fill(0);
      let j = 0;
      // Eight dimensions per pass over the block: fewer loads and stores of the accumulators.
      for (; j + 8 <= nz; j += 8) {
        const o0 = offsets[j], o1 = offsets[j + 1], o2 = offsets[j + 2], o3 = offsets[j + 3];
        const o4 = offsets[j + 4], o5 = offsets[j + 5], o6 = offsets[j + 6], o7 = offsets[j + 7];
        const v0 = values[j], v1 = values[j + 1], v2 = values[j + 2], v3 = values[j + 3];
        const v4 = values[j + 4], v5 = values[j + 5], v6 = values[j + 6], v7 = values[j + 7];
        for (let r = 0; r < n; r++) {
          acc[r] =
            (acc[r] + v0 * block[o0 + r] + v1 * block[o1 + r] + v2 * block[o2 + r] + v3 * block[o3 + r] +
              v4 * block[o4 + r] + v5 * block[o5 + r] + v6 * block[o6 + r] + v7 * block[o7 + r]) | 0;
        }
      }
      for (; j < nz; j++) {
        const o = offsets[j], v = values[j];
        for (let r = 0; r < n; r++) acc[r] = (acc[r] + v * block[o + r]) | 0;
      }
      for (let r = 0; r < n; r++) {
        const slot = base + r;
        const score = acc[r] * qscale * scales[slot];
        if (score > best.threshold && (test === undefined || test(slot))) best.push(score, slot);
      }
    }
    return best.sorted().map(({ slot, score }) => ({ slot, key: this.keys[slot], score }));
  }

  /** Memory of the index; see {@link IndexMemory}. */
  memory(): IndexMemory {
    let metadataCodes = 0;
    let dictionaries = 0;
    const dictionaryValues: Record<string, number> = {};
    for (const [key, column] of this.columns) {
      metadataCodes += column.codes.byteLength;
      dictionaryValues[key] = column.codeOf.size;
      for (const value of column.codeOf.keys()) {
        dictionaries += 48;
        if (typeof value === "string") dictionaries += Math.ceil((16 + value.length * (/[^\u0000-\u00ff]/.test(value) ? 2 : 1)) / 8) * 8;
      }
    }
    return {
      typedArrayBytes: {
        codes: this.blocks.reduce((s, b) => s + b.byteLength, 0),
        scales: this.scales.byteLength,
        keys: this.keys.byteLength,
        metadataCodes,
      },
      estimatedObjectBytes: { dictionaries },
      dictionaryValues,
    };
  }

  /** Quantises `vector` into the row's block column and encodes its metadata (codes must be 0). */
  private write(slot: number, vector: Float32Array, metadata: Readonly<Record<string, unknown>>): void {
    const scratch = this.scratch;
    this.scales[slot] = quantize(vector, scratch, 0);
    const block = this.blocks[slot >> BLOCK_SHIFT];
    const r = slot & (BLOCK_ROWS - 1);
    for (let d = 0; d < this.dims; d++) block[d * BLOCK_ROWS + r] = scratch[d];
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
      let column = this.columns.get(key);
      if (!column) {
        column = new MetadataColumn(this.scales.length);
        this.columns.set(key, column);
      }
      column.codes[slot] = column.acquire(value);
    }
  }

  /** Copies row `from` over row `to` (codes, scale, key, metadata codes; references unchanged). */
  private move(from: number, to: number): void {
    const src = this.blocks[from >> BLOCK_SHIFT];
    const dst = this.blocks[to >> BLOCK_SHIFT];
    const rf = from & (BLOCK_ROWS - 1);
    const rt = to & (BLOCK_ROWS - 1);
    for (let d = 0; d < this.dims; d++) dst[d * BLOCK_ROWS + rt] = src[d * BLOCK_ROWS + rf];
    this.scales[to] = this.scales[from];
    this.keys[to] = this.keys[from];
    for (const column of this.columns.values()) column.codes[to] = column.codes[from];
  }

  /** Resizes the per-row arrays to `capacity` rows (≥ size). */
  private growRows(capacity: number): void {
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.rows));
    const keys = new Float64Array(capacity);
    keys.set(this.keys.subarray(0, this.rows));
    this.scales = scales;
    this.keys = keys;
    for (const column of this.columns.values()) column.grow(capacity);
  }

  /**
   * Compiles a filter into a row test: `undefined` when every row passes, `null` when none can
   * (a required value is in no row). A condition object without `$eq` or `$in` constrains nothing,
   * as in `matchesFilter`.
   */
  private compile(filter: VectorFilter | undefined): RowTest | undefined | null {
    if (!filter) return undefined;
    const tests: { codes: Uint32Array; mask: Uint8Array }[] = [];
    for (const [key, cond] of Object.entries(filter)) {
      let allowed: readonly MetadataValue[] | undefined;
      if (cond !== null && typeof cond === "object") {
        if ("$eq" in cond) allowed = [cond.$eq];
        if ("$in" in cond) allowed = allowed ? allowed.filter((v) => cond.$in.includes(v)) : cond.$in;
        if (allowed === undefined) continue;
      } else {
        allowed = [cond];
      }
      const column = this.columns.get(key);
      if (!column) return null;
      const mask = new Uint8Array(column.values.length);
      let any = false;
      for (const value of allowed) {
        const code = column.codeOf.get(value);
        if (code !== undefined && !Number.isNaN(value)) {
          mask[code] = 1;
          any = true;
        }
      }
      if (!any) return null;
      tests.push({ codes: column.codes, mask });
    }
    if (tests.length === 0) return undefined;
    if (tests.length === 1) {
      const { codes, mask } = tests[0];
      return (slot) => mask[codes[slot]] === 1;
    }
    return (slot) => tests.every((t) => t.mask[t.codes[slot]] === 1);
  }

  private checkDims(vector: Float32Array): void {
    if (vector.length !== this.dims) throw new RangeError(`vector has ${vector.length} dimensions, index has ${this.dims}`);
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.rows) throw new RangeError(`slot ${slot} is not a row (size ${this.rows})`);
  }
}

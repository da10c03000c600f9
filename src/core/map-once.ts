/**
 * A config mapping run once per validated block: the collectors receive the
 * same frozen block on every poll, and a reload hands them new blocks, which
 * map anew (the old ones are garbage-collected with their options).
 */
export function mapOnce<Block extends object, Options>(map: (block: Block) => Options): (block: Block) => Options {
  const mapped = new WeakMap<Block, Options>();
  return (block) => {
    let options = mapped.get(block);
    if (options === undefined) mapped.set(block, (options = map(block)));
    return options;
  };
}

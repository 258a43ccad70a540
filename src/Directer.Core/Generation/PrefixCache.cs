using Directer.Core.Modeling;

namespace Directer.Core.Generation;

/// <summary>
/// The KV caches of recent sequences (<see cref="ServingOptions.CacheSlots"/> at most) and the choice of where a new
/// prompt starts. The cache holds raw keys and values only (steering never writes it), and a position's keys and
/// values depend only on the tokens up to it, so a prompt that begins with a cached sequence's tokens can start
/// after them: only the rest is prefilled.
/// <para>
/// Choice: the source is the idle slot sharing the longest prefix with the prompt (at most all prompt tokens but the
/// last, which is the first decode input). The target is that slot when all its content is that prefix (a
/// conversation continued: nothing is lost), else a new slot while under the bound, else the least recently used idle
/// slot, which then copies the shared prefix from the source (a copy, no model pass).
/// </para>
/// </summary>
internal sealed class PrefixCache : IDisposable
{
    private readonly LlamaModel model;
    private readonly ServingOptions options;
    private readonly List<CacheSlot> slots = new();
    private readonly Lock sync = new();
    private long clock;

    public PrefixCache(LlamaModel model, ServingOptions options)
    {
        this.model = model;
        this.options = options;
    }

    /// <summary>Slots allocated so far.</summary>
    public int Count
    {
        get
        {
            lock (sync)
            {
                return slots.Count;
            }
        }
    }

    /// <summary>Bytes held by every slot's cache.</summary>
    public long AllocatedBytes
    {
        get
        {
            lock (sync)
            {
                return slots.Sum(s => s.Cache.AllocatedBytes);
            }
        }
    }

    /// <summary>
    /// A slot for <paramref name="prompt"/> with room for <paramref name="capacity"/> positions, holding the prompt's
    /// first <c>Reused</c> tokens (its cache length); the caller prefills the rest and gives it back with <see cref="Release"/>.
    /// </summary>
    public (CacheSlot Slot, int Reused) Acquire(IReadOnlyList<int> prompt, int capacity)
    {
        lock (sync)
        {
            int limit = prompt.Count - 1;
            CacheSlot? source = null;
            int shared = 0;
            if (options.ReusePrefixes)
            {
                foreach (var slot in slots)
                {
                    if (slot.InUse)
                    {
                        continue;
                    }

                    int common = slot.CommonPrefix(prompt, limit);
                    if (common > shared || (common == shared && common > 0 && slot.LastUsed > source!.LastUsed))
                    {
                        source = slot;
                        shared = common;
                    }
                }
            }

            CacheSlot target;
            if (source is not null && shared == source.Cache.Length)
            {
                target = source;
            }
            else if (slots.Count < options.CacheSlots)
            {
                target = new CacheSlot(model.CreateCache(capacity));
                slots.Add(target);
            }
            else
            {
                target = slots.Where(s => !s.InUse).MinBy(s => s.LastUsed)
                    ?? throw new InvalidOperationException($"All {slots.Count} cache slots are in use (ServingOptions.CacheSlots).");
            }

            if (target.Cache.Capacity < capacity)
            {
                // Keep the prefix only when the target is its own source; otherwise it is taken from the source below.
                int keep = ReferenceEquals(target, source) ? shared : 0;
                target.Grow(model.CreateCache(capacity), keep);
            }

            if (source is null)
            {
                target.Cache.Reset();
            }
            else
            {
                target.TakePrefix(source, shared);
            }

            target.InUse = true;
            target.LastUsed = ++clock;
            return (target, shared);
        }
    }

    /// <summary>Gives a slot back; its cache and tokens now hold the finished (or stopped) sequence.</summary>
    public void Release(CacheSlot slot)
    {
        lock (sync)
        {
            slot.InUse = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (sync)
        {
            foreach (var slot in slots)
            {
                slot.Dispose();
            }

            slots.Clear();
        }
    }
}

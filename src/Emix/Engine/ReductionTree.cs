using System.Buffers;

namespace Emix.Engine;

/// <summary>
/// The one order in which chunk statistics are added: a binary tree over the global chunk indices,
/// aligned to powers of two. Node (start, level) covers chunks [start, start + 2^level) with start a
/// multiple of 2^level, and its sum is (left half) + (right half). Over C chunks the result is the
/// canonical decomposition of [0, C) into the blocks of C's binary digits (largest first), added
/// from the right: S = B₀ + (B₁ + (… + B_last)).
/// </summary>
/// <remarks>
/// <para>
/// Why a tree and not the left fold (((c₀ + c₁) + c₂) + …): a left fold cannot be split between
/// processes without sending every chunk's statistics (O(n)) to one place. In the tree, any
/// contiguous range of chunks is a few whole subtrees; a process computes those subtrees exactly
/// as a single process would, sends them (a few buffers, independent of n), and every process
/// adds all of them in the tree's order. So one process, many threads and P processes give the
/// same bits. The sum is the same number of additions as the left fold (C − 1 buffer additions);
/// its rounding error grows as O(log C) instead of O(C).
/// </para>
/// <para>
/// Blocks are pushed in chunk order, as a binary counter: a pushed block merges with the top of
/// the stack when that is its left sibling. Memory is at most ⌈log₂ C⌉ + 1 buffers on the stack.
/// </para>
/// </remarks>
internal sealed class ReductionTree(int length)
{
    private readonly List<(int Start, int Level, double[] Values)> _stack = [];
    private readonly Stack<double[]> _free = new();

    /// <summary>A zeroed buffer of at least the statistics length (reused from merged blocks).</summary>
    public double[] Rent()
    {
        var buffer = _free.Count > 0 ? _free.Pop() : ArrayPool<double>.Shared.Rent(length);
        buffer.AsSpan(0, length).Clear();
        return buffer;
    }

    /// <summary>Pushes the statistics of chunk <paramref name="chunk"/> (a leaf); the tree owns the buffer from now on.</summary>
    public void Push(int chunk, double[] values) => Push(chunk, 0, values);

    /// <summary>Pushes the sum of the whole subtree (start, level); blocks must come in chunk order.</summary>
    public void Push(int start, int level, double[] values)
    {
        while (_stack.Count > 0)
        {
            var top = _stack[^1];
            bool leftSibling = top.Level == level && (top.Start & ((2L << level) - 1)) == 0 && top.Start + (1L << level) == start;
            if (!leftSibling)
                break;
            // IEEE addition is commutative, so adding into the left buffer gives the bits of left + right.
            Add(top.Values.AsSpan(0, length), values.AsSpan(0, length));
            _free.Push(values);
            _stack.RemoveAt(_stack.Count - 1);
            (start, level, values) = (top.Start, level + 1, top.Values);
        }
        _stack.Add((start, level, values));
    }

    /// <summary>Adds the blocks on the stack from the right into <paramref name="total"/> (zero when empty).</summary>
    public void FoldInto(Span<double> total)
    {
        if (_stack.Count == 0)
        {
            total.Clear();
            return;
        }
        var sum = _stack[^1].Values.AsSpan(0, length);
        for (int i = _stack.Count - 2; i >= 0; i--)
            Add(sum, _stack[i].Values.AsSpan(0, length));
        sum.CopyTo(total);
    }

    /// <summary>
    /// After the chunks of the aligned subtree (start, level) alone were pushed: takes its sum off the
    /// stack (the caller owns the buffer, rented from the shared pool).
    /// </summary>
    public double[] TakeSingleBlock(int start, int level)
    {
        if (_stack.Count != 1 || _stack[0].Start != start || _stack[0].Level != level)
            throw new InvalidOperationException($"Subtree ({start}, {level}) is not the only block on the stack.");
        var values = _stack[0].Values;
        _stack.Clear();
        return values;
    }

    /// <summary>The blocks on the stack, in chunk order.</summary>
    public IReadOnlyList<(int Start, int Level, double[] Values)> Blocks => _stack;

    /// <summary>Returns every buffer to the pool.</summary>
    public void Release()
    {
        foreach (var (_, _, values) in _stack)
            ArrayPool<double>.Shared.Return(values);
        _stack.Clear();
        while (_free.Count > 0)
            ArrayPool<double>.Shared.Return(_free.Pop());
    }

    /// <summary>
    /// The whole subtrees that make up chunks [first, end): the largest aligned block at each step.
    /// This is what the stack holds after pushing those chunks one by one.
    /// </summary>
    public static List<(int Start, int Level)> BlocksOf(int first, int end)
    {
        var blocks = new List<(int, int)>();
        long at = first;
        while (at < end)
        {
            int level = 0;
            while ((at & ((2L << level) - 1)) == 0 && at + (2L << level) <= end)
                level++;
            blocks.Add(((int)at, level));
            at += 1L << level;
        }
        return blocks;
    }

    /// <summary>
    /// Every process sends the blocks of its own chunks (<paramref name="local"/>) to all others, and
    /// each adds all blocks in the tree's order into <paramref name="total"/>: the same bits on every
    /// process, and the same as one process computing every chunk.
    /// </summary>
    /// <remarks>
    /// The process that holds the last chunk folds its trailing blocks first when they are blocks of
    /// the final decomposition of [0, C) (they are added last, from the right, by everyone anyway):
    /// this keeps the number of buffers it sends independent of C.
    /// </remarks>
    public static void Combine(ProcessGroup processes, Chunking chunking, ReductionTree local, int length, Span<double> total)
    {
        int size = processes.Size;
        var plans = new (List<(int Start, int Level)> Blocks, int FoldedTail)[size];
        var counts = new int[size];
        for (int r = 0; r < size; r++)
        {
            plans[r] = Plan(processes, chunking, r);
            counts[r] = checked(SentBuffers(plans[r]) * length);
        }

        var (mine, mineTail) = plans[processes.Rank];
        if (mine.Count != local.Blocks.Count)
            throw new InvalidOperationException($"Rank {processes.Rank}: {local.Blocks.Count} partial sums computed, {mine.Count} expected.");
        var send = new double[counts[processes.Rank]];
        for (int b = 0; b < mine.Count; b++)
        {
            if (local.Blocks[b].Start != mine[b].Start || local.Blocks[b].Level != mine[b].Level)
                throw new InvalidOperationException($"Rank {processes.Rank}: partial sum {b} covers the wrong chunks.");
        }
        for (int b = 0; b < mine.Count - mineTail; b++)
            local.Blocks[b].Values.AsSpan(0, length).CopyTo(send.AsSpan(b * length, length));
        if (mineTail > 0)
        {
            var folded = send.AsSpan((mine.Count - mineTail) * length, length);
            local.Blocks[^1].Values.AsSpan(0, length).CopyTo(folded);
            for (int b = mine.Count - 2; b >= mine.Count - mineTail; b--)
                Add(folded, local.Blocks[b].Values.AsSpan(0, length));
        }

        var all = new double[counts.Sum()];
        processes.AllGather(send, all, counts);

        var tree = new ReductionTree(length);
        try
        {
            int offset = 0;
            ReadOnlySpan<double> foldedTail = default;
            for (int r = 0; r < size; r++)
            {
                var (blocks, tail) = plans[r];
                for (int b = 0; b < blocks.Count - tail; b++)
                {
                    var buffer = tree.Rent();
                    all.AsSpan(offset, length).CopyTo(buffer);
                    offset += length;
                    tree.Push(blocks[b].Start, blocks[b].Level, buffer);
                }
                if (tail > 0)
                {
                    foldedTail = all.AsSpan(offset, length);
                    offset += length;
                }
            }
            if (foldedTail.IsEmpty)
            {
                tree.FoldInto(total);
            }
            else
            {
                // The rest of the right fold, from where the holder of the last chunk stopped.
                foldedTail.CopyTo(total);
                for (int i = tree._stack.Count - 1; i >= 0; i--)
                    Add(total, tree._stack[i].Values.AsSpan(0, length));
            }
        }
        finally
        {
            tree.Release();
        }
    }

    /// <summary>The blocks rank <paramref name="rank"/> computes, and how many of the last ones it folds before sending.</summary>
    internal static (List<(int Start, int Level)> Blocks, int FoldedTail) Plan(ProcessGroup processes, Chunking chunking, int rank)
    {
        var (first, end) = processes.OwnedChunks(chunking, rank);
        var blocks = BlocksOf(first, end);
        int tail = 0;
        if (end == chunking.ChunkCount && blocks.Count > 0)
        {
            var final = BlocksOf(0, chunking.ChunkCount).ToHashSet();
            while (tail < blocks.Count && final.Contains(blocks[blocks.Count - 1 - tail]))
                tail++;
        }
        return (blocks, tail);
    }

    /// <summary>Statistics buffers a rank sends per reduction under <paramref name="plan"/>.</summary>
    internal static int SentBuffers((List<(int Start, int Level)> Blocks, int FoldedTail) plan) =>
        plan.Blocks.Count - plan.FoldedTail + (plan.FoldedTail > 0 ? 1 : 0);

    private static void Add(Span<double> total, ReadOnlySpan<double> part) => Statistics.MixtureStatistics.AddInto(total, part);
}

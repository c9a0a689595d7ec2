using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Lrs.Api.Hosting;

/// <summary>
/// The blocks Kestrel's connections receive and send through: 64 kB instead of its own 4 kB, so that a batch of statements
/// (100–200 kB) arrives in a few receives, each handed on through the connection's pipe once, rather than in dozens.
/// </summary>
/// <remarks>
/// A connection holds a block only while it has bytes to read or write (Kestrel waits for data before it rents one), so idle
/// connections cost nothing. At most <see cref="LargeBlocksLent"/> 64 kB blocks are lent at once: past that, a connection gets
/// a 4 kB block, as Kestrel's own pool would lend it, so that many connections each holding a part of a request hold no more
/// than they would without these blocks. At most <see cref="KeptBlocks"/> free blocks of each size are kept.
/// </remarks>
public sealed class ReceiveBlocks : IMemoryPoolFactory<byte>
{
    /// <summary>The size of a block.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>The size of a block lent when <see cref="LargeBlocksLent"/> are out: Kestrel's own.</summary>
    public const int SmallBlockSize = 4 * 1024;

    /// <summary>How many 64 kB blocks may be lent at once (16 MB).</summary>
    public const int LargeBlocksLent = 256;

    /// <summary>How many free blocks of each size a pool keeps for reuse.</summary>
    public const int KeptBlocks = 64;

    /// <summary>Registers the blocks for Kestrel's socket transport.</summary>
    public static IServiceCollection AddReceiveBlocks(IServiceCollection services) =>
        services.AddSingleton<IMemoryPoolFactory<byte>, ReceiveBlocks>();

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Pool();

    private sealed class Pool : MemoryPool<byte>
    {
        private readonly ConcurrentQueue<Block> _free = new(), _freeSmall = new();
        private int _freeCount, _freeSmallCount, _largeLent;

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            if (Interlocked.Increment(ref _largeLent) > LargeBlocksLent && minBufferSize <= SmallBlockSize)
            {
                Interlocked.Decrement(ref _largeLent);
                return Lend(_freeSmall, ref _freeSmallCount) ?? new Block(this, SmallBlockSize);
            }
            return Lend(_free, ref _freeCount) ?? new Block(this, BlockSize);
        }

        private static Block? Lend(ConcurrentQueue<Block> free, ref int count)
        {
            if (!free.TryDequeue(out var block)) return null;
            Interlocked.Decrement(ref count);
            block.Lent();
            return block;
        }

        internal void Return(Block block)
        {
            if (block.Memory.Length == BlockSize)
            {
                Interlocked.Decrement(ref _largeLent);
                Keep(_free, ref _freeCount, block);
            }
            else Keep(_freeSmall, ref _freeSmallCount, block);
        }

        private static void Keep(ConcurrentQueue<Block> free, ref int count, Block block)
        {
            if (Interlocked.Increment(ref count) <= KeptBlocks) free.Enqueue(block);
            else Interlocked.Decrement(ref count);
        }

        protected override void Dispose(bool disposing)
        {
            _free.Clear();
            _freeSmall.Clear();
        }
    }

    private sealed class Block(Pool pool, int size) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        private int _returned;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);

        public void Lent() => _returned = 0;

        // Returned once, however often it is disposed.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) pool.Return(this);
        }
    }
}

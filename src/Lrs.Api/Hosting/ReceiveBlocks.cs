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
/// connections cost nothing. At most <see cref="KeptBlocks"/> free blocks are kept; the rest are left to the collector.
/// </remarks>
public sealed class ReceiveBlocks : IMemoryPoolFactory<byte>
{
    /// <summary>The size of a block.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>How many free blocks a pool keeps for reuse (4 MB).</summary>
    public const int KeptBlocks = 64;

    /// <summary>Registers the blocks for Kestrel's socket transport.</summary>
    public static IServiceCollection AddReceiveBlocks(IServiceCollection services) =>
        services.AddSingleton<IMemoryPoolFactory<byte>, ReceiveBlocks>();

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Pool();

    private sealed class Pool : MemoryPool<byte>
    {
        private readonly ConcurrentQueue<Block> _free = new();
        private int _freeCount;

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            if (_free.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref _freeCount);
                block.Rented();
                return block;
            }
            return new Block(this);
        }

        internal void Return(Block block)
        {
            if (Interlocked.Increment(ref _freeCount) <= KeptBlocks) _free.Enqueue(block);
            else Interlocked.Decrement(ref _freeCount);
        }

        protected override void Dispose(bool disposing) => _free.Clear();
    }

    private sealed class Block(Pool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int _returned;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length);

        public void Rented() => _returned = 0;

        // Returned once, however often it is disposed.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) pool.Return(this);
        }
    }
}

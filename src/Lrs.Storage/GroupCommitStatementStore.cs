using System.Diagnostics;
using System.Threading.Channels;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>
/// Group commit in front of a statement store: concurrent requests of one tenant are written together in
/// one transaction, so that a commit (and its flush to disk) is shared instead of paid per request. There is
/// no waiting for company: a group is whatever arrived while the previous group was being written, so a lone
/// request goes straight through. Every request still gets its own all-or-nothing outcome.
/// </summary>
/// <remarks>
/// A request of many statements (<see cref="LargeRequest"/> or more) shares little by joining a group: it amortises its own
/// commit. While one of the <c>lanes</c> is free it is written on its own beside the groups, so that batches keep more
/// transactions in flight (one waits for its commit to reach the disk while another is written); when every lane is
/// taken it joins the queue like any request. Small requests never take a lane: they gain most from sharing commits.
/// Queries of statements are bounded the same way: at most <c>readers</c> run against the database at once, the others wait
/// their turn. Many at once on a few cores each take longer than they would in turn (on two cores, sixteen reads of a
/// learner's statements at once cost PostgreSQL 2.0–2.7 ms each, four at once 1.3–2.0 ms).
/// </remarks>
public sealed class GroupCommitStatementStore : IStatementStore, IAsyncDisposable
{
    private readonly IStatementStore _inner;
    private readonly int _maxStatements;
    private readonly StoreMetrics? _metrics;
    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;
    private readonly SemaphoreSlim? _lanes;
    private readonly int _laneCount;
    private readonly SemaphoreSlim? _readers;
    private int _closed;

    /// <summary>How many statements make a request large enough to be written on its own while a lane is free.</summary>
    public const int LargeRequest = 50;

    private sealed record Request(
        long TenantId, IReadOnlyList<PreparedStatement> Batch, IReadOnlyCollection<AttachmentContent> Attachments)
    {
        public TaskCompletionSource<StoreOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>When it was queued (a <see cref="Stopwatch"/> timestamp).</summary>
        public long QueuedAt { get; } = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Wraps <paramref name="inner"/> with <paramref name="writers"/> concurrent writers and groups of at most
    /// <paramref name="maxStatements"/>, and <paramref name="lanes"/> more transactions for large requests; group sizes and
    /// waits go to <paramref name="metrics"/>. At most <paramref name="readers"/> queries run at once (0: no bound).
    /// </summary>
    public GroupCommitStatementStore(IStatementStore inner, int writers, int maxStatements = 1000, StoreMetrics? metrics = null, int lanes = 0, int readers = 0)
    {
        if (readers > 0) _readers = new SemaphoreSlim(readers, readers);
        _inner = inner;
        _maxStatements = maxStatements;
        _metrics = metrics;
        _laneCount = Math.Max(0, lanes);
        if (_laneCount > 0) _lanes = new SemaphoreSlim(_laneCount, _laneCount);
        _writers = [.. Enumerable.Range(0, Math.Max(1, writers)).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <inheritdoc />
    public Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        if (batch.Count >= LargeRequest && _lanes is { } lanes && Volatile.Read(ref _closed) == 0 && lanes.Wait(0))
            return WriteInLaneAsync(tenantId, batch, attachments, lanes);
        var request = new Request(tenantId, batch, attachments);
        if (!_queue.Writer.TryWrite(request)) throw new ObjectDisposedException(nameof(GroupCommitStatementStore));
        // Not cancelled with the HTTP request: once queued, a write completes or fails as a whole.
        return request.Done.Task;
    }

    /// <inheritdoc />
    public Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct) => _inner.GetAsync(tenantId, id, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct)
    {
        if (_readers is not { } readers) return await _inner.QueryAsync(tenantId, query, ct);
        await readers.WaitAsync(ct);
        try
        {
            return await _inner.QueryAsync(tenantId, query, ct);
        }
        finally
        {
            readers.Release();
        }
    }

    /// <inheritdoc />
    public Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct) => _inner.GetAttachmentAsync(tenantId, sha2, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredStatement>> NamingAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, string? organisation,
        StatementPosition? after, int limit, CancellationToken ct) => _inner.NamingAgentsAsync(tenantId, agentKeys, organisation, after, limit, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<AgentStatement>> OfAgentsOnActivitiesAsync(long tenantId, IReadOnlyCollection<string> agentKeys, IReadOnlyCollection<string> activityIds,
        int limit, CancellationToken ct) => _inner.OfAgentsOnActivitiesAsync(tenantId, agentKeys, activityIds, limit, ct);

    // Not cancelled with the HTTP request either: once begun, a write completes or fails as a whole.
    private async Task<StoreOutcome> WriteInLaneAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments,
        SemaphoreSlim lanes)
    {
        try
        {
            _metrics?.GroupStarted(1);
            return await _inner.StoreAsync(tenantId, batch, attachments, CancellationToken.None);
        }
        finally
        {
            lanes.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        var carried = new Queue<Request>();
        while (carried.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            var group = new List<Request>();
            var ids = new HashSet<Guid>();
            var statements = 0;
            var left = new Queue<Request>();

            bool Fits(Request r) =>
                group.Count == 0 || (r.TenantId == group[0].TenantId && statements + r.Batch.Count <= _maxStatements && !r.Batch.Any(s => ids.Contains(s.Id)));
            void Add(Request r)
            {
                group.Add(r);
                statements += r.Batch.Count;
                foreach (var s in r.Batch) ids.Add(s.Id);
            }

            while (carried.TryDequeue(out var c))
                if (Fits(c)) Add(c); else left.Enqueue(c);
            // Only what is already waiting: a group never waits for more requests to arrive.
            while (statements < _maxStatements && left.Count == 0 && _queue.Reader.TryRead(out var r))
                if (Fits(r)) Add(r); else left.Enqueue(r);
            carried = left;
            if (group.Count == 0) continue;
            if (_metrics is { } metrics)
            {
                metrics.GroupStarted(group.Count);
                foreach (var r in group) metrics.Waited(r.QueuedAt);
            }
            await WriteGroupAsync(group);
        }
    }

    private async Task WriteGroupAsync(List<Request> group)
    {
        while (group.Count > 0)
        {
            if (group.Count == 1)
            {
                await WriteAloneAsync(group[0]);
                return;
            }

            var owner = new Dictionary<Guid, Request>();
            foreach (var r in group)
                foreach (var s in r.Batch) owner[s.Id] = r;
            StoreOutcome outcome;
            try
            {
                outcome = await _inner.StoreAsync(
                    group[0].TenantId,
                    [.. group.SelectMany(r => r.Batch)],
                    [.. group.SelectMany(r => r.Attachments).DistinctBy(a => a.Sha2)],
                    CancellationToken.None);
            }
            catch (Exception e)
            {
                // Something unexpected: each request on its own, so that one request's failure is only its own. When the
                // shared commit broke, every request of the group may be stored: written alone it then finds its statements
                // stored (same ids, same content: accepted), and if that fails too its outcome stays unknown.
                var mayBeStored = e is StoreUnavailableException { OutcomeUnknown: true };
                foreach (var r in group) await WriteAloneAsync(r, mayBeStored);
                return;
            }

            if (outcome.ConflictingId is not { } conflict)
            {
                foreach (var r in group) r.Done.TrySetResult(StoreOutcome.Stored);
                return;
            }
            // The group was rolled back: the request with the conflict gets its 409, the others go again.
            var loser = owner[conflict];
            loser.Done.TrySetResult(outcome);
            group.Remove(loser);
        }
    }

    private async Task WriteAloneAsync(Request request, bool mayBeStored = false)
    {
        try
        {
            request.Done.TrySetResult(await _inner.StoreAsync(request.TenantId, request.Batch, request.Attachments, CancellationToken.None));
        }
        catch (StoreUnavailableException e) when (mayBeStored && !e.OutcomeUnknown)
        {
            request.Done.TrySetException(new StoreUnavailableException(outcomeUnknown: true, e.InnerException!));
        }
        catch (Exception e)
        {
            request.Done.TrySetException(e);
        }
    }

    /// <summary>Stops taking requests and finishes those queued.</summary>
    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
        // Lane writes in flight finish too: every lane is taken back, then given back, so that disposing again (the host
        // disposes this store under each service it is registered as) finds them free.
        if (_lanes is null) return;
        for (var i = 0; i < _laneCount; i++) await _lanes.WaitAsync();
        _lanes.Release(_laneCount);
    }
}

using System.Data.Common;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>
/// The write algorithm shared by the relational adapters; each adapter supplies its own SQL for the steps.
/// </summary>
/// <remarks>
/// One transaction per batch: compare duplicates, insert rows and their index keys, apply voiding in both
/// directions (a voiding statement may arrive before its target), and give every statement that targets
/// another through a StatementRef the keys of its target chain, so that the StatementRef rule of the query
/// is answered from the index. Chains longer than <see cref="MaxRefDepth"/> are not followed further.
/// </remarks>
public abstract class RelationalStatementStore : IStatementStore
{
    /// <summary>How many StatementRef hops the index follows.</summary>
    protected const int MaxRefDepth = 16;

    /// <summary>A stored statement's identity and index information.</summary>
    protected sealed record RowInfo(long Seq, Guid Id, IReadOnlyList<string> Keys, Guid? RefTarget, bool IsVoiding);

    /// <summary>A statement that targets another through a StatementRef.</summary>
    protected sealed record Referrer(Guid Target, long Seq, Guid Id, bool IsVoiding);

    /// <inheritdoc />
    public async Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, Func<string, PreparedStatement, bool> isSame, CancellationToken ct)
    {
        await using var lease = await BeginWriteAsync(ct);
        var (connection, transaction) = (lease.Connection, lease.Transaction);

        var existing = await ExistingBodiesAsync(connection, transaction, tenantId, batch.Select(s => s.Id).ToArray(), ct);
        var fresh = new List<PreparedStatement>(batch.Count);
        foreach (var statement in batch)
        {
            if (existing.TryGetValue(statement.Id, out var body))
            {
                if (!isSame(body, statement)) return new StoreOutcome(statement.Id);
            }
            else fresh.Add(statement);
        }

        // Data sent again with a duplicate statement is stored too: it may have come by fileUrl the first time.
        if (attachments.Count > 0) await InsertAttachmentsAsync(connection, transaction, tenantId, attachments, ct);
        if (fresh.Count == 0)
        {
            if (attachments.Count > 0) await lease.CommitAsync(ct);
            return StoreOutcome.Stored;
        }

        var seqs = await InsertStatementsAsync(connection, transaction, tenantId, fresh, ct);

        // Voiding, forwards: targets already stored (or earlier in this batch) become voided.
        var voidTargets = fresh.Where(s => s.IsVoiding).Select(s => s.RefTarget!.Value).Distinct().ToArray();
        if (voidTargets.Length > 0) await MarkVoidedAsync(connection, transaction, tenantId, voidTargets, ct);

        // Backwards: statements stored earlier that target the new ones.
        var referrers = await ReferrersAsync(connection, transaction, tenantId, fresh.Select(s => s.Id).ToArray(), ct);
        var voidedLate = referrers.Where(r => r.IsVoiding).Select(r => r.Target).Distinct().ToArray();
        if (voidedLate.Length > 0) await MarkVoidedAsync(connection, transaction, tenantId, voidedLate, ct);

        // StatementRef chains: new referrers inherit their targets' keys; earlier referrers of new statements too.
        var refresh = new List<(long Seq, Guid Target)>();
        for (var i = 0; i < fresh.Count; i++)
            if (fresh[i].RefTarget is { } target) refresh.Add((seqs[i], target));
        var visited = new HashSet<Guid>(fresh.Select(s => s.Id));
        var frontier = referrers;
        for (var depth = 0; frontier.Count > 0 && depth < MaxRefDepth; depth++)
        {
            foreach (var r in frontier) refresh.Add((r.Seq, r.Target));
            var next = frontier.Select(r => r.Id).Where(visited.Add).ToArray();
            frontier = next.Length == 0 ? [] : await ReferrersAsync(connection, transaction, tenantId, next, ct);
        }
        foreach (var (seq, target) in refresh.Distinct())
            await InheritChainAsync(connection, transaction, tenantId, seq, target, ct);

        await lease.CommitAsync(ct);
        return StoreOutcome.Stored;
    }

    private async Task InheritChainAsync(DbConnection c, DbTransaction t, long tenantId, long seq, Guid target, CancellationToken ct)
    {
        var rows = new List<(string Key, long Src)>();
        Guid? current = target;
        var seen = new HashSet<Guid>();
        for (var depth = 0; current is { } id && depth < MaxRefDepth && seen.Add(id); depth++)
        {
            var row = await RowByIdAsync(c, t, tenantId, id, ct);
            if (row is null || row.Seq == seq) break;
            foreach (var key in row.Keys) rows.Add((key, row.Seq));
            current = row.RefTarget;
        }
        if (rows.Count > 0) await InsertInheritedKeysAsync(c, t, tenantId, seq, rows, ct);
    }

    /// <inheritdoc />
    public abstract Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct);

    /// <summary>Opens a connection and begins the write transaction (SQLite also takes its one-writer lock).</summary>
    protected abstract Task<WriteLease> BeginWriteAsync(CancellationToken ct);

    /// <summary>Bodies of the statements among <paramref name="ids"/> that are stored already.</summary>
    protected abstract Task<Dictionary<Guid, string>> ExistingBodiesAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct);

    /// <summary>Inserts statement rows with their own keys (source = themselves); returns their sequences in order.</summary>
    protected abstract Task<long[]> InsertStatementsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct);

    /// <summary>Marks the non-voiding statements among <paramref name="ids"/> voided.</summary>
    protected abstract Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct);

    /// <summary>The stored statements whose StatementRef object targets one of <paramref name="targets"/>.</summary>
    protected abstract Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct);

    /// <summary>A stored statement's index information by id.</summary>
    protected abstract Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct);

    /// <summary>Stores attachment data under (tenant, sha2); data already stored under a hash is kept.</summary>
    protected abstract Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct);

    /// <summary>Adds keys to statement <paramref name="seq"/>, each with the statement it came from; existing rows are kept.</summary>
    protected abstract Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct);

    /// <summary>An open connection with a write transaction; rolled back unless committed.</summary>
    protected sealed class WriteLease(DbConnection connection, DbTransaction transaction, IDisposable? writerLock) : IAsyncDisposable
    {
        /// <summary>The connection.</summary>
        public DbConnection Connection { get; } = connection;
        /// <summary>The transaction.</summary>
        public DbTransaction Transaction { get; } = transaction;

        /// <summary>Commits the transaction.</summary>
        public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
            writerLock?.Dispose();
        }
    }
}

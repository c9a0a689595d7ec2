using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lrs.Storage;

/// <summary>
/// The store's instruments on the LRS's meter: how group commit shares transactions, and what the statement
/// transactions derive (evidence, reflection tasks). No attribute names a tenant or a person.
/// </summary>
public sealed class StoreMetrics
{
    private readonly Histogram<int> _groupSize;
    private readonly Histogram<double> _groupWait;
    private readonly Counter<long> _evidence;
    private readonly Counter<long> _tasks;
    private readonly Counter<long> _queries;

    /// <summary>Creates the instruments on <paramref name="meter"/>, which outlives the store (one per process).</summary>
    public StoreMetrics(Meter meter)
    {
        _groupSize = meter.CreateHistogram("lrs.group_commit.size", "{request}",
            "Requests whose statements were written in one transaction (group commit); 1 is a request written alone.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128] });
        _groupWait = meter.CreateHistogram("lrs.group_commit.wait.duration", "s",
            "How long a request waited for the group-commit writer before its transaction began.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _evidence = meter.CreateCounter<long>("lrs.competence.evidence.created", "{evidence}",
            "Competence evidence recorded from newly stored statements.");
        _tasks = meter.CreateCounter<long>("lrs.reflection.tasks.created", "{task}",
            "Reflection tasks created by newly stored statements (a task already open for the person, template and registration is not created again).");
        _queries = meter.CreateCounter<long>("lrs.statement.queries", "{query}",
            "Statement queries by lrs.query.form: rare_key when one of the query's keys was known to be on few statements and its " +
            "statements were read first, stored_order otherwise.");
    }

    /// <summary>A group of <paramref name="requests"/> requests begins its transaction.</summary>
    public void GroupStarted(int requests) => _groupSize.Record(requests);

    /// <summary>A request queued at <paramref name="queuedAt"/> (a <see cref="Stopwatch"/> timestamp) begins its transaction.</summary>
    public void Waited(long queuedAt)
    {
        if (_groupWait.Enabled) _groupWait.Record(Stopwatch.GetElapsedTime(queuedAt).TotalSeconds);
    }

    /// <summary>A statement query read the statements of a rare key first, or not.</summary>
    public void Queried(bool rareKeyFirst) =>
        _queries.Add(1, new KeyValuePair<string, object?>("lrs.query.form", rareKeyFirst ? "rare_key" : "stored_order"));

    /// <summary>A statement transaction committed with this much new evidence and these new tasks.</summary>
    public void Recorded(int evidence, int tasks)
    {
        if (evidence > 0) _evidence.Add(evidence);
        if (tasks > 0) _tasks.Add(tasks);
    }
}

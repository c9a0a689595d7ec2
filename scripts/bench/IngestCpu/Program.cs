// The work the LRS does for each statement it is sent, before storage, on one thread: parse the request body (as a tree for
// the validator, and as a document), validate each statement, prepare it from the document (LRS-set properties, the stored
// text, index keys, agent names, activity definitions and follow-up facts), and gather the batch's agent names and activity
// definitions as storage does. Prints the CPU time and the bytes allocated per statement, per step and in all.
//
//   dotnet run -c Release --project scripts/bench/IngestCpu -- BODIES.jsonl [SECONDS] [THREADS]
//
// BODIES.jsonl: one request body per line, as gen-statements.js writes them (batch100.jsonl: arrays of 100 statements).
// FRAMEWORK=path (a framework document, e.g. src/Lrs.Api/Demo/care-framework.json): one more step, what storage reads of each
// statement for that framework (Framework.Reads, then evidence and reflection triggers over PreparedStatement.View).
// THREADS (1): with more than one, that many threads parse, validate and prepare at once, as the LRS's requests do, and only
// the process CPU per statement is printed: what one thread does cheaply may cost more when another core does the same
// (shared memory written by both). Run it with DOTNET_gcServer=1 to collect garbage as the LRS does.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

if (args.Length < 1) { Console.Error.WriteLine("usage: IngestCpu BODIES.jsonl [SECONDS]"); return 2; }
var bodies = File.ReadAllLines(args[0]).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
var threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
var options = new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false };
var authority = new JsonObject { ["objectType"] = "Agent", ["name"] = "bench", ["account"] = new JsonObject { ["homePage"] = "http://127.0.0.1:8080", ["name"] = "bench" } };
var framework = Environment.GetEnvironmentVariable("FRAMEWORK") is { Length: > 0 } frameworkPath
    ? Lrs.Core.Competence.FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(frameworkPath))).Framework ?? throw new InvalidOperationException("not a framework")
    : null;
string[] steps = framework is null ? ["parse", "validate", "prepare", "names+definitions"] : ["parse", "validate", "prepare", "names+definitions", "competence"];
var ticks = new long[steps.Length];
var bytes = new long[steps.Length];
long statements = 0, requests = 0;
// As storage keeps them across batches: per activity, the merged definition and the last text known to be covered by it.
var known = new Dictionary<string, (JsonObject Merged, byte[] Last)>(StringComparer.Ordinal);

void Run(byte[] body)
{
    var step = 0;
    var clock = Stopwatch.GetTimestamp();
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    void Done()
    {
        var (now, nowBytes) = (Stopwatch.GetTimestamp(), GC.GetAllocatedBytesForCurrentThread());
        ticks[step] += now - clock;
        bytes[step] += nowBytes - allocated;
        (clock, allocated, step) = (now, nowBytes, step + 1);
    }
    using var document = JsonText.ParseDocument(body, options);
    List<JsonElement> list = document.RootElement.ValueKind == JsonValueKind.Array ? [.. document.RootElement.EnumerateArray()] : [document.RootElement];
    Done();
    foreach (var s in list)
        if (StatementValidator.Validate(s, XapiVersion.V103).Count > 0) throw new InvalidOperationException("an invalid statement in the bodies");
    Done();
    var stored = DateTimeOffset.UtcNow;
    var prepared = new PreparedStatement[list.Count];
    var prepAuthority = new PreparedAuthority(authority);
    for (var i = 0; i < list.Count; i++) prepared[i] = StatementPreparer.Prepare(list[i], XapiVersion.V103, stored, prepAuthority);
    Done();
    var names = prepared.SelectMany(p => p.Names).Distinct().ToList();
    foreach (var p in prepared)
        foreach (var (iri, utf8) in p.Definitions)
            if (!known.TryGetValue(iri, out var sofar) || !(ReferenceEquals(utf8, sofar.Last) || utf8.AsSpan().SequenceEqual(sofar.Last)))
                known[iri] = (ActivityDefinitions.Fold(sofar.Merged, (JsonObject)JsonText.Parse(utf8, options)!), utf8);
    Done();
    if (framework is not null)
    {
        foreach (var p in prepared)
        {
            if (!framework.Reads(p)) continue;   // as storage passes them over
            var view = p.View;
            var found = Lrs.Core.Competence.EvidenceExtractor.Extract(framework, view);
            Lrs.Core.Reflection.ReflectionTriggers.Match(framework, view, found, p.Verb);
        }
        Done();
    }
    statements += list.Count;
    requests++;
}

if (threads > 1) return Concurrently(threads);

// Warm-up until the JIT has settled (tiered compilation), then measure.
var warm = Stopwatch.StartNew();
for (var i = 0; warm.Elapsed.TotalSeconds < Math.Min(5, seconds); i++) Run(bodies[i % bodies.Length]);
Array.Clear(ticks);
Array.Clear(bytes);
(statements, requests) = (0, 0);
var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
for (var i = 0; wall.Elapsed.TotalSeconds < seconds; i++) Run(bodies[i % bodies.Length]);
var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;

Console.WriteLine($"{statements} statements in {requests} requests, {wall.Elapsed.TotalSeconds:F1} s; process CPU {cpu / statements:F1} µs per statement (the garbage collector's included)");
Console.WriteLine($"{"step",-20} {"µs/statement",12} {"bytes/statement",16}");
for (var i = 0; i < steps.Length; i++)
    Console.WriteLine($"{steps[i],-20} {ticks[i] * 1e6 / Stopwatch.Frequency / statements,12:F2} {bytes[i] / (double)statements,16:F0}");
Console.WriteLine($"{"all",-20} {ticks.Sum() * 1e6 / Stopwatch.Frequency / statements,12:F2} {bytes.Sum() / (double)statements,16:F0}");
return 0;

// Parse, validate and prepare on several threads at once for SECONDS after 5 s of the same; the process CPU per statement.
int Concurrently(int count)
{
    var (measuring, stop, done) = (0, 0, 0L);
    void Loop(int first)
    {
        var prepAuthority = new PreparedAuthority(authority);
        for (var i = first; Volatile.Read(ref stop) == 0; i++)
        {
            using var document = JsonText.ParseDocument(bodies[i % bodies.Length], options);
            var root = document.RootElement;
            List<JsonElement> list = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];
            foreach (var s in list)
                if (StatementValidator.Validate(s, XapiVersion.V103).Count > 0) throw new InvalidOperationException("an invalid statement in the bodies");
            var stored = DateTimeOffset.UtcNow;
            foreach (var s in list) StatementPreparer.Prepare(s, XapiVersion.V103, stored, prepAuthority);
            if (Volatile.Read(ref measuring) == 1) Interlocked.Add(ref done, list.Count);
        }
    }
    var workers = Enumerable.Range(0, count).Select(t => new Thread(() => Loop(t * 37))).ToList();
    workers.ForEach(t => t.Start());
    Thread.Sleep(TimeSpan.FromSeconds(Math.Min(5, seconds)));
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    Volatile.Write(ref measuring, 1);
    Thread.Sleep(TimeSpan.FromSeconds(seconds));
    Volatile.Write(ref measuring, 0);
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
    var n = Interlocked.Read(ref done);
    Volatile.Write(ref stop, 1);
    workers.ForEach(t => t.Join());
    Console.WriteLine($"{count} threads: {n / wall.Elapsed.TotalSeconds:F0} statements/s; process CPU {cpu / n:F2} µs per statement (the garbage collector's included)");
    return 0;
}

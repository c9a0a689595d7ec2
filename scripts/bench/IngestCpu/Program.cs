// The work the LRS does for each statement it is sent, before storage, on one thread: parse the request body, validate each
// statement, prepare it (LRS-set properties, the stored text, index keys), read its follow-up facts, and collect the batch's
// agent names and activity definitions. Prints the CPU time and the bytes allocated per statement, per step and in all.
//
//   dotnet run -c Release --project scripts/bench/IngestCpu -- BODIES.jsonl [SECONDS]
//
// BODIES.jsonl: one request body per line, as gen-statements.js writes them (batch100.jsonl: arrays of 100 statements).
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.FollowUp;
using Lrs.Core.Xapi;

if (args.Length < 1) { Console.Error.WriteLine("usage: IngestCpu BODIES.jsonl [SECONDS]"); return 2; }
var bodies = File.ReadAllLines(args[0]).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
var options = new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false };
var authority = new JsonObject { ["objectType"] = "Agent", ["name"] = "bench", ["account"] = new JsonObject { ["homePage"] = "http://127.0.0.1:8080", ["name"] = "bench" } };
string[] steps = ["parse", "validate", "prepare", "facts", "names+definitions"];
var ticks = new long[steps.Length];
var bytes = new long[steps.Length];
long statements = 0, requests = 0;

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
    var root = JsonText.Parse(body, options);
    var list = root is JsonArray array ? array.ToList() : [root];
    Done();
    foreach (var s in list)
        if (StatementValidator.Validate(s, XapiVersion.V103).Count > 0) throw new InvalidOperationException("an invalid statement in the bodies");
    Done();
    var stored = DateTimeOffset.UtcNow;
    var prepared = list.Select(s => StatementPreparer.Prepare((JsonObject)s!, XapiVersion.V103, stored, authority)).ToList();
    Done();
    var facts = 0;
    foreach (var p in prepared)
        if (StatementFact.Concerns(p.Verb, p.RefTarget, p.IsVoiding)) { StatementFact.Read(p.Node); facts++; }
    Done();
    var names = AgentNames.Collect(prepared.Select(p => p.Node));
    var definitions = ActivityDefinitions.Collect(prepared.Select(p => p.Node));
    Done();
    statements += list.Count;
    requests++;
}

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

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.FollowUp;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>
/// Preparation reads the request's document and writes the stored text directly. It must give what rebuilding the statement
/// as a tree gave, byte for byte: <see cref="Tree"/> keeps that algorithm, as it was, as the measure.
/// </summary>
public sealed class StatementPreparerTests
{
    private static readonly DateTimeOffset Stored = new(2025, 5, 2, 8, 16, 0, 123_456 / 1000, TimeSpan.Zero);
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    private static readonly string[] Authorities =
    [
        """{"objectType":"Agent","name":"LMS é","account":{"homePage":"https://lms.example.se","name":"lms"}}""",
        """{"objectType":"Group","member":[{"account":{"homePage":"https://lms.example.se","name":"app"}},{"mbox":"mailto:Anna@Example.SE","name":"Anna"}]}""",
    ];

    private const string Verb = "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/completed\"}";

    // Statements that exercise what preparation changes and what the writer could write differently from what was sent.
    private static readonly (string Name, XapiVersion Version, string Json)[] EdgeCases =
    [
        ("escapes and non-ASCII", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se","name":"Ann\u00e9 \"Q\" a\/b \ud83d\ude00 😀 \u2028 \u0001 <&'> é"},VERB,
             "object":{"id":"https://x.se/a?q=1&r=\u00e5","definition":{"name":{"sv-SE":"Hygien \u00e5\u00e4\u00f6","en-US":"tab\there\nnew \\ back"}}},
             "result":{"response":"\u2029\u00ad\uFEFF\"","extensions":{"https://x.se/\u00e9":"\/"}}}
            """),
        ("numbers as sent", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se"},VERB,"object":{"id":"https://x.se/a"},
             "result":{"score":{"scaled":0.50,"raw":1.0,"min":-0,"max":1e2},
               "extensions":{"https://x.se/n":[1.0,1e2,-0,0.50,1E+2,-1.5e-3,12345678901234567890123],"https://x.se/o":{"a":null,"b":[null,{"c":null}]}}}}
            """),
        ("single context activities and an upper-case registration", XapiVersion.V103, """
            {"id":"6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D10","actor":{"mbox":"mailto:anna@example.se"},VERB,"object":{"id":"https://x.se/a"},
             "context":{"registration":"6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D1F","contextActivities":{
               "parent":{"id":"https://x.se/p","definition":{"name":{"sv-SE":"P"}}},"grouping":[{"id":"https://x.se/g"},{"id":"https://x.se/a"}],
               "category":{"id":"https://x.se/c"},"other":[{"id":"https://x.se/p","definition":{"name":{"en-US":"P"}}}]},
               "instructor":{"name":"Bertil","mbox":"mailto:bertil@example.se"},
               "team":{"objectType":"Group","name":"Team","member":[{"name":"Anna","mbox":"mailto:anna@example.se"},{"name":"Cecilia","mbox":"mailto:cecilia@example.se"}]},
               "extensions":{"https://x.se/e":{"name":"Not an agent","mbox":"mailto:x@example.se"}}},
             "timestamp":"2025-05-02T10:15:00.5+02:00"}
            """),
        ("a SubStatement with context and an offset timestamp", XapiVersion.V103, """
            {"actor":{"objectType":"Group","name":"Lag","mbox":"mailto:lag@example.se","member":[{"name":"Anna","mbox":"mailto:ANNA@EXAMPLE.SE"}]},VERB,
             "object":{"objectType":"SubStatement","actor":{"name":"Anna","account":{"homePage":"https://x.se","name":"anna"}},
               "verb":{"id":"http://adlnet.gov/expapi/verbs/attempted"},"object":{"id":"https://x.se/inner","definition":{"type":"https://x.se/t"}},
               "context":{"registration":"6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D1F","contextActivities":{"parent":{"id":"https://x.se/sp"},"other":[{"id":"https://x.se/so"}]}},
               "timestamp":"2025-05-02T10:15:00-05:30"},
             "timestamp":"2025-05-02T10:15:00Z","stored":"2020-01-01T00:00:00Z",
             "authority":{"mbox":"mailto:someone@example.se"}}
            """),
        ("a StatementRef with an upper-case id", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"https://lrsapi.se/xapi/verbs/signed-off"},
             "object":{"id":"6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D10","objectType":"StatementRef"},"version":"1.0.3"}
            """),
        ("a voiding statement", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},
             "object":{"objectType":"StatementRef","id":"6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D10"}}
            """),
        ("an agent as object and a group of named members", XapiVersion.V103, """
            {"actor":{"objectType":"Group","name":"Anonyma","member":[{"name":"Anna","mbox":"mailto:anna@example.se"},{"name":"Bo","openid":"http://openid.example.se/bo"}]},VERB,
             "object":{"objectType":"Agent","name":"Cecilia","mbox_sha1sum":"CD9B00A5611F94EAA7B1661EDAB976068E364975"}}
            """),
        ("2.0 context agents and groups", XapiVersion.V200, """
            {"actor":{"mbox":"mailto:anna@example.se","name":"Anna"},VERB,"object":{"id":"https://x.se/a"},
             "context":{"contextAgents":[{"objectType":"contextAgent","agent":{"name":"Bertil","mbox":"mailto:bertil@example.se"},"relevantTypes":["https://x.se/r"]}],
               "contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group","name":"G","mbox":"mailto:g@example.se","member":[{"name":"Anna","mbox":"mailto:anna@example.se"},{"name":"Dagny","mbox":"mailto:dagny@example.se"}]}}],
               "contextActivities":{"category":{"id":"https://x.se/c"}}},
             "timestamp":"2025-05-02T10:15:00.1234567+01:00"}
            """),
        ("recurring values, sent as the LRS writes them and not", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"sv-SE":"slutförde"}},
             "object":{"id":"https://x.se/a","definition":{"name":{"sv-SE":"Å \"a\" \/ \u00e5","en-US":"A"},"type":"https://x.se/t"}},
             "context":{"contextActivities":{"grouping":[{"id":"https://x.se/g"}],"parent":[ {"id":"https://x.se/p"} ],"category":[{"id":"https:\/\/x.se\/c"}]},
               "instructor":{"name":"Bertil","mbox":"mailto:bertil@example.se"},"ext\u0065nsions":{"https://x.se/e":[1.0,"é"]},"team":{"objectType":"Group","member":[{"mbox":"mailto:c@example.se"}]}}}
            """),
        ("context activities as arrays, compact", XapiVersion.V103, """
            {"actor":{"mbox":"mailto:anna@example.se"},VERB,"object":{"id":"https://x.se/a","definition":{"type":"https://x.se/t"}},
             "context":{"contextActivities":{"grouping":[{"id":"https://x.se/g"}],"parent":[{"id":"https://x.se/p","definition":{"name":{"sv-SE":"P"}}}],"other":[]},
               "extensions":{"https://x.se/e":{"a":[1,2.50,-0]}}}}
            """),
        ("a training the follow-up reads", XapiVersion.V103, """
            {"actor":{"account":{"homePage":"https://hr.example.se","name":"12345"}},"verb":{"id":"REPORTED"},
             "object":{"id":"https://x.se/a","definition":{"type":"https://x.se/t","name":{"sv-SE":"Ä"}}},
             "result":{"score":{"scaled":-0},"duration":"PT1H30M"},
             "context":{"contextActivities":{"parent":{"id":"https://x.se/p"},"grouping":[{"id":"https://x.se/g"}]},
               "extensions":{"UNIT":"enhet-é","CATEGORY":{"kind":"fall","n":1.0,"t":"\u00e9<"},
                 "SESSION":null}}}
            """),
    ];

    public static TheoryData<string, XapiVersion> Statements()
    {
        var data = new TheoryData<string, XapiVersion>();
        foreach (var row in SampleStatementTests.ValidSamples()) data.Add("sample:" + (string)row[0], (XapiVersion)row[1]);
        foreach (var (name, version, _) in EdgeCases) data.Add(name, version);
        return data;
    }

    private static string Text(string statement) =>
        statement.StartsWith("sample:", StringComparison.Ordinal)
            ? File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", statement["sample:".Length..]))
            : EdgeCases.Single(e => e.Name == statement).Json.Replace("VERB", Verb).Replace("REPORTED", FollowUpFigures.ReportedVerb)
                .Replace("UNIT", FollowUpFigures.UnitExtension).Replace("CATEGORY", FollowUpFigures.DeviationCategoryExtension)
                .Replace("SESSION", Learning.SessionStatements.SessionExtension);

    [Theory]
    [MemberData(nameof(Statements))]
    public void Preparing_from_the_document_gives_what_rebuilding_the_tree_gave(string statement, XapiVersion version)
    {
        var utf8 = Encoding.UTF8.GetBytes(Text(statement));
        StatementValidator.Validate(JsonText.Parse(utf8, Options), version).Should().BeEmpty("only valid statements are prepared");
        // Each authority twice: from a value's second sighting on, what was sent as the LRS writes it is copied (JsonText.WriteValue).
        foreach (var authorityJson in Authorities.Concat(Authorities))
        {
            using var document = JsonDocument.Parse(utf8, Options);
            var prepared = StatementPreparer.Prepare(document.RootElement, version, Stored,
                new PreparedAuthority((JsonObject)JsonNode.Parse(authorityJson)!), define: false);
            // A statement sent without an id gets a new one: the tree is given the same.
            var expected = Tree.Prepare((JsonObject)JsonText.Parse(utf8, Options)!, version, Stored, (JsonObject)JsonNode.Parse(authorityJson)!, prepared.Id);

            Encoding.UTF8.GetString(prepared.Utf8Json).Should().Be(Encoding.UTF8.GetString(expected.Utf8Json));
            prepared.Utf8Json.Should().Equal(expected.Utf8Json);
            prepared.Keys.Should().Equal(Tree.Keys(expected.Node));
            prepared.Names.Should().BeEquivalentTo(Tree.Names(expected.Node));
            prepared.Definitions.Select(d => (d.Iri, Encoding.UTF8.GetString(d.Utf8Json))).Should().Equal(Tree.Definitions(expected.Node));
            (prepared.Id, prepared.Verb, prepared.Registration, prepared.RefTarget, prepared.IsVoiding, prepared.Define)
                .Should().Be((expected.Id, expected.Verb, expected.Registration, expected.RefTarget, expected.IsVoiding, false));
            prepared.SetByLrs.Should().Equal(expected.SetByLrs);
            // The facts, whether or not follow-up reads this statement, and then only when it does.
            var timestamp = expected.Node["timestamp"]!.GetValue<string>();
            StatementFact.Read(document.RootElement, prepared.Id, DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture)).Should().BeEquivalentTo(Tree.Fact(expected.Node));
            if (StatementFact.Concerns(expected.Verb, expected.RefTarget, expected.IsVoiding))
                prepared.Fact.Should().BeEquivalentTo(Tree.Fact(expected.Node));
            else prepared.Fact.Should().BeNull();
            StatementFact.Read(Encoding.UTF8.GetString(prepared.Utf8Json)).Should().BeEquivalentTo(Tree.Fact(expected.Node));
            JsonNode.DeepEquals(prepared.Node, expected.Node).Should().BeTrue();
            JsonNode.DeepEquals(prepared.AsSent(), expected.AsSent()).Should().BeTrue();
        }
    }

    [Fact]
    public void The_id_of_the_request_is_the_statement_id()
    {
        var id = Guid.NewGuid();
        using var document = JsonDocument.Parse("""{"actor":{"mbox":"mailto:anna@example.se"},VERB,"object":{"id":"https://x.se/a"}}""".Replace("VERB", Verb));
        var prepared = StatementPreparer.Prepare(document.RootElement, XapiVersion.V103, Stored,
            new PreparedAuthority(new JsonObject { ["mbox"] = "mailto:lms@example.se" }), id: id);
        prepared.Id.Should().Be(id);
        prepared.Node["id"]!.GetValue<string>().Should().Be(id.ToString("D"));
    }

    [Fact]
    public void Nothing_prepared_refers_to_the_document()
    {
        var document = JsonDocument.Parse(Text("single context activities and an upper-case registration"));
        var prepared = StatementPreparer.Prepare(document.RootElement, XapiVersion.V103, Stored,
            new PreparedAuthority(new JsonObject { ["mbox"] = "mailto:lms@example.se" }));
        var text = Encoding.UTF8.GetString(prepared.Utf8Json);
        document.Dispose();
        prepared.Node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Should().Be(text);
        prepared.Definitions.Should().HaveCount(2);
    }

    /// <summary>Preparation as it was, on a tree: the measure of the document's.</summary>
    private static class Tree
    {
        private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public sealed record Prepared(Guid Id, byte[] Utf8Json, string Verb, Guid? Registration, Guid? RefTarget, bool IsVoiding, JsonObject Node, List<string> SetByLrs)
        {
            public JsonObject AsSent()
            {
                var clone = (JsonObject)Node.DeepClone();
                foreach (var name in SetByLrs) if (name != "id") clone.Remove(name);
                return clone;
            }
        }

        public static Prepared Prepare(JsonObject statement, XapiVersion version, DateTimeOffset stored, JsonObject authority, Guid generated)
        {
            var setByLrs = new List<string>(5) { "stored", "authority" };
            if (statement["id"] is null) setByLrs.Add("id");
            if (statement["timestamp"] is null) setByLrs.Add("timestamp");
            if (statement["version"] is null) setByLrs.Add("version");
            var id = statement["id"] is JsonValue idValue ? Guid.Parse(idValue.GetValue<string>()) : generated;
            var storedText = XapiTimestamp.ToUtcString(stored);
            var members = new List<KeyValuePair<string, JsonNode?>> { new("id", id.ToString("D")) };
            foreach (var name in (ReadOnlySpan<string>)["actor", "verb", "object", "result", "context"]) Take(statement, members, name);
            members.Add(new("timestamp", statement["timestamp"] is JsonValue ts ? NormaliseTimestamp(ts.GetValue<string>(), version) : storedText));
            members.Add(new("stored", storedText));
            members.Add(new("authority", authority.DeepClone()));
            members.Add(new("version", statement["version"] is JsonValue v ? v.GetValue<string>() : version == XapiVersion.V200 ? "2.0.0" : "1.0.0"));
            Take(statement, members, "attachments");
            var prepared = new JsonObject(members);

            NormaliseContext(prepared["context"] as JsonObject);
            if (prepared["object"] is JsonObject sub && sub["objectType"]?.GetValue<string>() == "SubStatement")
            {
                NormaliseContext(sub["context"] as JsonObject);
                if (sub["timestamp"] is JsonValue subTs) sub["timestamp"] = NormaliseTimestamp(subTs.GetValue<string>(), version);
            }
            var verb = prepared["verb"]!["id"]!.GetValue<string>();
            var obj = (JsonObject)prepared["object"]!;
            Guid? refTarget = obj["objectType"]?.GetValue<string>() == "StatementRef" ? Guid.Parse(obj["id"]!.GetValue<string>()) : null;
            if (refTarget is { } target) obj["id"] = target.ToString("D");
            Guid? registration = prepared["context"]?["registration"] is JsonValue r ? Guid.Parse(r.GetValue<string>()) : null;
            if (registration is { } reg) prepared["context"]!["registration"] = reg.ToString("D");

            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, Writing)) prepared.WriteTo(writer);
            return new Prepared(id, buffer.WrittenSpan.ToArray(), verb, registration, refTarget, verb == StatementPreparer.VoidedVerb && refTarget is not null,
                prepared, setByLrs);
        }

        private static void Take(JsonObject from, List<KeyValuePair<string, JsonNode?>> to, string name)
        {
            if (from[name] is { } node)
            {
                from.Remove(name);
                to.Add(new(name, node));
            }
        }

        private static string NormaliseTimestamp(string text, XapiVersion version) =>
            XapiTimestamp.TryParse(text, version, out var value) ? XapiTimestamp.ToUtcString(value) : text;

        private static void NormaliseContext(JsonObject? context)
        {
            if (context?["contextActivities"] is not JsonObject activities) return;
            foreach (var name in activities.Select(p => p.Key).ToList())
                if (activities[name] is JsonObject single)
                {
                    activities.Remove(name);
                    activities[name] = new JsonArray(single);
                }
        }

        public static List<string> Keys(JsonObject statement)
        {
            var keys = new List<string>();
            var narrow = new HashSet<string>();
            var related = new HashSet<string>();
            string? objectActivity = null;
            var relatedActivities = new HashSet<string>();
            void Narrow(string? key)
            {
                if (key is not null && narrow.Add(key)) keys.Add(StatementIndex.Agent + key);
            }
            void ActorOrObject(JsonNode? agent)
            {
                if (agent is not JsonObject o) return;
                Narrow(AgentKey.Of(o));
                if (o["member"] is JsonArray members) foreach (var m in members) Narrow(AgentKey.Of(m));
            }
            void RelatedKey(string? key)
            {
                if (key is not null && !narrow.Contains(key) && related.Add(key)) keys.Add(StatementIndex.RelatedAgent + key);
            }
            void Related(JsonNode? agent)
            {
                if (agent is not JsonObject o) return;
                RelatedKey(AgentKey.Of(o));
                if (o["member"] is JsonArray members) foreach (var m in members) RelatedKey(AgentKey.Of(m));
            }
            void RelatedActivity(string id)
            {
                if (id != objectActivity && relatedActivities.Add(id)) keys.Add(StatementIndex.RelatedActivity + id);
            }
            void Context(JsonObject? context)
            {
                if (context is null) return;
                Related(context["instructor"]);
                Related(context["team"]);
                if (context["contextAgents"] is JsonArray cas) foreach (var ca in cas) Related(ca?["agent"]);
                if (context["contextGroups"] is JsonArray cgs) foreach (var cg in cgs) Related(cg?["group"]);
                if (context["contextActivities"] is JsonObject lists)
                    foreach (var (_, list) in lists)
                        if (list is JsonArray activities)
                            foreach (var activity in activities)
                                if (activity?["id"] is JsonValue id) RelatedActivity(id.GetValue<string>());
            }

            if (statement["verb"]?["id"] is JsonValue verb) keys.Add(StatementIndex.Verb + verb.GetValue<string>());
            if (statement["context"]?["registration"] is JsonValue reg) keys.Add(StatementIndex.Registration + reg.GetValue<string>().ToLowerInvariant());
            ActorOrObject(statement["actor"]);
            var obj = statement["object"] as JsonObject;
            var objectType = obj?["objectType"]?.GetValue<string>();
            if (objectType is "Agent" or "Group") ActorOrObject(obj);
            else if (objectType is null or "Activity" && obj?["id"] is JsonValue activityId)
            {
                objectActivity = activityId.GetValue<string>();
                keys.Add(StatementIndex.Activity + objectActivity);
            }
            if (statement["authority"] is JsonObject authority)
            {
                if (AgentKey.Of(authority) is { } key)
                {
                    keys.Add(StatementIndex.Authority + key);
                    narrow.Add(key);
                }
                if (authority["member"] is JsonArray members) foreach (var m in members) RelatedKey(AgentKey.Of(m));
            }
            Context(statement["context"] as JsonObject);
            if (objectType == "SubStatement" && obj is not null)
            {
                Related(obj["actor"]);
                var inner = obj["object"] as JsonObject;
                var innerType = inner?["objectType"]?.GetValue<string>();
                if (innerType is "Agent" or "Group") Related(inner);
                else if (innerType is null or "Activity" && inner?["id"] is JsonValue innerId) RelatedActivity(innerId.GetValue<string>());
                Context(obj["context"] as JsonObject);
            }
            return keys;
        }

        public static HashSet<(string Key, string Name)> Names(JsonObject statement)
        {
            var result = new HashSet<(string, string)>();
            void Walk(JsonNode? node)
            {
                switch (node)
                {
                    case JsonObject o:
                        if (o["name"] is JsonValue name && name.TryGetValue(out string? text) && AgentKey.Of(o) is { } key
                            && o["objectType"]?.GetValue<string>() is null or "Agent" or "Group")
                            result.Add((key, text));
                        foreach (var (property, child) in o)
                            if (property is not ("extensions" or "definition" or "authority")) Walk(child);
                        break;
                    case JsonArray a:
                        foreach (var child in a) Walk(child);
                        break;
                }
            }
            Walk(statement);
            return result;
        }

        // The definitions in the order the batch's merge met them, each written as the statement stores it.
        public static List<(string, string)> Definitions(JsonObject statement)
        {
            var result = new List<(string, string)>();
            void Add(JsonNode? activity)
            {
                if (activity is not JsonObject a || a["objectType"]?.GetValue<string>() is not (null or "Activity")) return;
                if (a["id"] is not JsonValue id || a["definition"] is not JsonObject definition) return;
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer, Writing)) definition.WriteTo(writer);
                result.Add((id.GetValue<string>(), Encoding.UTF8.GetString(buffer.WrittenSpan)));
            }
            void AddContext(JsonNode? context)
            {
                if (context?["contextActivities"] is not JsonObject activities) return;
                foreach (var (_, list) in activities)
                    if (list is JsonArray array) foreach (var activity in array) Add(activity);
            }
            Add(statement["object"]);
            AddContext(statement["context"]);
            if (statement["object"] is JsonObject sub && sub["objectType"]?.GetValue<string>() == "SubStatement")
            {
                Add(sub["object"]);
                AddContext(sub["context"]);
            }
            return result;
        }

        public static StatementFact Fact(JsonObject s)
        {
            var obj = (JsonObject)s["object"]!;
            var objectType = obj["objectType"] is JsonValue ot ? ot.GetValue<string>() : "Activity";
            string? activity = null, type = null;
            Guid? target = null;
            if (objectType == "Activity")
            {
                activity = obj["id"]!.GetValue<string>();
                if (obj["definition"]?["type"] is JsonValue t) type = t.GetValue<string>();
            }
            else if (objectType == "StatementRef") target = Guid.Parse(obj["id"]!.GetValue<string>());
            double? scaled = null;
            TimeSpan? duration = null;
            if (s["result"] is JsonObject r)
            {
                if (r["score"]?["scaled"] is JsonValue x) scaled = x.GetValue<double>();
                if (r["duration"] is JsonValue du && Competence.IsoDuration.TryParse(du.GetValue<string>(), out var span))
                    duration = Competence.IsoDuration.AddTo(DateTimeOffset.UnixEpoch, span) - DateTimeOffset.UnixEpoch;
            }
            var contextActivities = new List<string>();
            string? session = null, unit = null, category = null;
            if (s["context"] is JsonObject c)
            {
                if (c["contextActivities"] is JsonObject ca)
                    foreach (var (_, list) in ca)
                        if (list is JsonArray many) foreach (var a in many) if (a?["id"] is JsonValue id) contextActivities.Add(id.GetValue<string>());
                if (c["extensions"] is JsonObject ex)
                {
                    session = Text(ex, Learning.SessionStatements.SessionExtension);
                    unit = Text(ex, FollowUpFigures.UnitExtension);
                    category = Text(ex, FollowUpFigures.DeviationCategoryExtension);
                }
            }
            var timestamp = DateTimeOffset.Parse((s["timestamp"] ?? s["stored"])!.GetValue<string>(), CultureInfo.InvariantCulture);
            return new StatementFact(Guid.Parse(s["id"]!.GetValue<string>()), s["verb"]!["id"]!.GetValue<string>(), AgentKey.Of(s["actor"]),
                activity, type, target, timestamp, scaled, duration, session, contextActivities, unit, category);
        }

        private static string? Text(JsonObject extensions, string name) =>
            extensions[name] is not { } v ? null : v is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : v.ToJsonString();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>The competence framework over HTTP: import, export, item changes, and what each change does to evidence.</summary>
public abstract class FrameworkTests(LrsFixture lrs)
{
    public const string Course = "https://demo.lrsapi.se/xapi/activities/courses/basal-hygien";

    /// <summary>A small framework: hygiene from a course completion (valid a year), CPR with sign-off, one role.</summary>
    public static JsonObject SmallFramework(string hygieneCourse = Course) => new()
    {
        ["competences"] = new JsonArray
        {
            new JsonObject { ["id"] = "basal-hygien", ["name"] = new JsonObject { ["sv"] = "Basala hygienrutiner", ["en"] = "Basic hygiene routines" }, ["validity"] = "P1Y" },
            new JsonObject { ["id"] = "hlr", ["name"] = new JsonObject { ["sv"] = "Hjärt-lungräddning", ["en"] = "CPR" }, ["validity"] = "P1Y" },
        },
        ["rules"] = new JsonArray
        {
            new JsonObject { ["id"] = "hygien-kurs", ["competence"] = "basal-hygien", ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(hygieneCourse) },
            new JsonObject
            {
                ["id"] = "hlr-ovning", ["competence"] = "hlr", ["verbs"] = new JsonArray(Passed),
                ["activityPrefixes"] = new JsonArray("https://demo.lrsapi.se/xapi/activities/sessions/hlr"), ["successRequired"] = true, ["signoffRequired"] = true,
            },
        },
        ["roles"] = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "underskoterska", ["name"] = new JsonObject { ["sv"] = "Undersköterska", ["en"] = "Assistant nurse" },
                ["requirements"] = new JsonArray
                {
                    new JsonObject { ["competence"] = "basal-hygien", ["level"] = "required" },
                    new JsonObject { ["competence"] = "hlr", ["level"] = "required" },
                },
            },
        },
    };

    /// <summary>The small framework with an individual reflection task (due in 14 days) on every completion of <see cref="Course"/>.</summary>
    public static JsonObject SmallFrameworkWithReflection()
    {
        var framework = SmallFramework();
        framework["reflectionTemplates"] = new JsonArray(new JsonObject
        {
            ["id"] = "kurs-reflektion", ["title"] = new JsonObject { ["sv"] = "Reflektion" },
            ["prompts"] = new JsonArray(new JsonObject { ["id"] = "larde", ["text"] = new JsonObject { ["sv"] = "Vad lärde du dig?" } }),
            ["trigger"] = new JsonObject { ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(Course) },
            ["mode"] = "individual", ["dueIn"] = "P14D",
        });
        return framework;
    }

    private Task<HttpClient> WriterAsync(string tenant) => lrs.ClientWithScopesAsync("framework:write all admin", "2.0.0", tenant);

    private static string NewTenant() => "fw-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task An_imported_framework_is_exported_as_sent_with_its_version_as_ETag()
    {
        var client = await WriterAsync(NewTenant());
        var put = await client.PutAsync("/api/framework", Json(SmallFramework()));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var changed = await put.Content.ReadFromJsonAsync<JsonNode>();
        changed!["version"]!.GetValue<long>().Should().Be(1);

        var get = await client.GetAsync("/api/framework");
        get.Headers.ETag!.Tag.Should().Be("\"1\"");
        var exported = await get.Content.ReadFromJsonAsync<JsonNode>();
        exported!["competences"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).Should().Equal("basal-hygien", "hlr");
        exported["rules"]![1]!["signoffRequired"]!.GetValue<bool>().Should().BeTrue();
        exported["roles"]![0]!["requirements"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Importing_the_same_framework_again_changes_nothing()
    {
        var client = await WriterAsync(NewTenant());
        (await client.PutAsync("/api/framework", Json(SmallFramework()))).EnsureSuccessStatusCode();
        var again = await (await client.PutAsync("/api/framework", Json(SmallFramework()))).Content.ReadFromJsonAsync<JsonNode>();
        again!["version"]!.GetValue<long>().Should().Be(1);
        again["rebuild"]!["added"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task An_invalid_framework_is_rejected_with_every_error_and_nothing_is_stored()
    {
        var client = await WriterAsync(NewTenant());
        var framework = SmallFramework();
        framework["competences"]![0]!["validity"] = "one year";
        framework["rules"]![0]!["competence"] = "no-such-competence";
        var put = await client.PutAsync("/api/framework", Json(framework));
        put.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await put.Content.ReadFromJsonAsync<JsonNode>();
        problem!["errors"]!.AsObject().Select(e => e.Key).Should().Contain(["$.competences[0].validity", "$.rules[0].competence"]);

        var get = await client.GetAsync("/api/framework");
        get.Headers.ETag!.Tag.Should().Be("\"0\"");
        (await get.Content.ReadFromJsonAsync<JsonNode>())!["competences"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_change_with_a_stale_If_Match_is_412_and_a_current_one_is_stored()
    {
        var client = await WriterAsync(NewTenant());
        (await client.PutAsync("/api/framework", Json(SmallFramework()))).EnsureSuccessStatusCode();
        var changed = SmallFramework();
        changed["competences"]![0]!["validity"] = "P2Y";

        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/framework") { Content = Json(changed) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        (await client.SendAsync(stale)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        var current = new HttpRequestMessage(HttpMethod.Put, "/api/framework") { Content = Json(changed) };
        current.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await client.SendAsync(current)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<JsonNode>("/api/framework/competences/basal-hygien"))!["validity"]!.GetValue<string>().Should().Be("P2Y");
    }

    [Fact]
    public async Task One_item_is_added_replaced_and_removed_and_a_referenced_competence_is_kept()
    {
        var client = await WriterAsync(NewTenant());
        (await client.PutAsync("/api/framework", Json(SmallFramework()))).EnsureSuccessStatusCode();

        var added = await client.PutAsync("/api/framework/competences/lex-sarah",
            Json(new JsonObject { ["name"] = new JsonObject { ["sv"] = "Lex Sarah" }, ["validity"] = "P1Y" }));
        added.StatusCode.Should().Be(HttpStatusCode.OK, await added.Content.ReadAsStringAsync());
        (await client.GetFromJsonAsync<JsonNode>("/api/framework/competences/lex-sarah"))!["name"]!["sv"]!.GetValue<string>().Should().Be("Lex Sarah");

        var invalid = await client.PutAsync("/api/framework/competences/lex-sarah", Json(new JsonObject { ["name"] = new JsonObject { ["sv"] = "Lex Sarah" }, ["validity"] = "P1X" }));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject().Select(e => e.Key).Should().Equal("$.validity");

        var mismatch = await client.PutAsync("/api/framework/competences/lex-sarah", Json(new JsonObject { ["id"] = "other", ["name"] = new JsonObject { ["sv"] = "x" } }));
        mismatch.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var referenced = await client.DeleteAsync("/api/framework/competences/hlr");
        referenced.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await referenced.Content.ReadAsStringAsync()).Should().Contain("hlr");

        (await client.DeleteAsync("/api/framework/competences/lex-sarah")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/framework/competences/lex-sarah")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.DeleteAsync("/api/framework/competences/lex-sarah")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/framework/courses/x")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Framework_writes_need_framework_write_and_reads_need_profiles_read()
    {
        var tenant = NewTenant();
        var statementsOnly = await lrs.ClientWithScopesAsync("all", "2.0.0", tenant);
        var put = await statementsOnly.PutAsync("/api/framework", Json(SmallFramework()));
        put.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await put.Content.ReadAsStringAsync()).Should().Contain("framework:write");
        (await statementsOnly.GetAsync("/api/framework")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var reader = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", tenant);
        (await reader.GetAsync("/api/framework")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.PutAsync("/api/framework", Json(SmallFramework()))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_framework_is_invisible_to_another_tenant()
    {
        var owner = await WriterAsync(NewTenant());
        (await owner.PutAsync("/api/framework", Json(SmallFramework()))).EnsureSuccessStatusCode();
        var other = await WriterAsync(NewTenant());
        (await other.GetFromJsonAsync<JsonNode>("/api/framework"))!["competences"]!.AsArray().Should().BeEmpty();
        (await other.GetAsync("/api/framework/competences/hlr")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rebuild_applies_a_new_rule_to_statements_stored_before_and_a_second_run_changes_nothing()
    {
        var tenant = NewTenant();
        var client = await WriterAsync(tenant);
        var otherCourse = NewActivityId();
        var actor = NewAgent();
        await client.PostAsync(Statement(actor, activity: otherCourse), Statement(actor, activity: Course));

        var first = await (await client.PutAsync("/api/framework", Json(SmallFramework()))).Content.ReadFromJsonAsync<JsonNode>();
        first!["rebuild"]!["added"]!.GetValue<int>().Should().Be(1, "one stored statement completes the hygiene course");

        var moved = await (await client.PutAsync("/api/framework", Json(SmallFramework(otherCourse)))).Content.ReadFromJsonAsync<JsonNode>();
        moved!["rebuild"]!["added"]!.GetValue<int>().Should().Be(1);
        moved["rebuild"]!["retracted"]!.GetValue<int>().Should().Be(1);

        var again = await (await client.PostAsync("/api/admin/evidence/rebuild", null)).Content.ReadFromJsonAsync<JsonNode>();
        again!["added"]!.GetValue<int>().Should().Be(0);
        again["changed"]!.GetValue<int>().Should().Be(0);
        again["retracted"]!.GetValue<int>().Should().Be(0);
        again["statementsScanned"]!.GetValue<int>().Should().Be(2);
    }
}

public sealed class FrameworkTestsOnSqlite(SqliteLrs lrs) : FrameworkTests(lrs), IClassFixture<SqliteLrs>;
public sealed class FrameworkTestsOnPostgres(PostgresLrs lrs) : FrameworkTests(lrs), IClassFixture<PostgresLrs>;

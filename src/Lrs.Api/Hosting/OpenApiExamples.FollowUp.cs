using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The learning centres and follow-up part.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleCentre = JsonNode.Parse("""
        {
          "iri": "https://demo.lrsapi.se/xapi/activities/learning-centres/metodrum",
          "name": "Metodrum, Upplands Väsby",
          "needs": ["Förflyttningar som skadar personal och brukare", "Ny personal utan grundläggande demenskunskap"],
          "resources": ["Två undersköterskor som handledare", "Simuleringsrum med taklyft och dockor", "Lärlådor"],
          "activities": ["https://demo.lrsapi.se/xapi/activities/courses/demens-abc"],
          "activityPrefixes": ["https://demo.lrsapi.se/xapi/activities/videos/"],
          "effects": [
            { "id": "fler-utbildade", "term": "short", "description": "Fler medarbetare hos alla arbetsgivare utbildas", "measure": "reach.peopleTrained" },
            { "id": "teknik-i-praktiken", "term": "medium", "description": "Förflyttningstekniken används i det dagliga arbetet",
              "measure": "mediumTerm.reflectionResponseRate", "competence": "forflyttning" },
            { "id": "tackning", "term": "long", "description": "Varje enhet har förflyttningskompetens", "measure": "longTerm.coverage", "competence": "forflyttning" }
          ]
        }
        """)!;

    private static JsonObject ExampleCentreView()
    {
        var view = new JsonObject { ["id"] = "metodrum" };
        foreach (var (name, value) in ExampleCentre.AsObject()) view[name] = value?.DeepClone();
        view["effects"]![0]!["competence"] = null;
        view["updated"] = "2026-03-02T09:12:44.120931+00:00";
        return view;
    }

    private static JsonObject ExampleFigures(string measure, string from, string to, string? centre, string rows) => new()
    {
        ["measure"] = measure, ["from"] = from, ["to"] = to, ["timeZone"] = "Europe/Stockholm",
        ["filters"] = new JsonObject
        {
            ["centre"] = centre, ["employerKind"] = null, ["organisation"] = null, ["unit"] = measure == "beforeAfter" ? "vardboende-ekbacken" : null, ["role"] = null,
            ["competence"] = measure == "beforeAfter" ? "forflyttning" : null,
        },
        ["rows"] = JsonNode.Parse(rows),
    };

    private static void MonthlyFilters(OpenApiOperation op)
    {
        Query(op, "from", "The first month, yyyy-MM (default: eleven months before `to`).", example: "2026-01");
        Query(op, "to", "The last month, yyyy-MM (default: this month). At most 36 months in all.", example: "2026-12");
        Query(op, "centre", "Only the trainings of this learning centre (its id).", example: "metodrum");
        Query(op, "employerKind", "Only people of employers of this kind: municipal, private or regional.", example: "private");
        Query(op, "organisation", "Only people of this organisation (a restricted credential: only its own).");
        Query(op, "unit", "Only people in this unit at the time.");
        Query(op, "role", "Only people in this role at the time.", example: "underskoterska");
        Query(op, "competence", "Only trainings aligned with this competence; in coverage, only this competence.", example: "forflyttning");
        Query(op, "locale", "CSV only: sv-SE for `;` and a decimal comma, en-US (default) for `,` and a point.", example: "sv-SE");
    }

    // The CSV alternative of a 200: a string of the same rows, in the sv-SE form Excel opens directly.
    private static void FiguresResponses(OpenApiOperation op, JsonObject json, string csv)
    {
        ResponseExample(op, "200", "application/json", json);
        ResponseExample(op, "200", "text/csv", JsonValue.Create(csv));
        var media = ((OpenApiResponse)op.Responses!["200"]).Content!["text/csv"];
        media.Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "UTF-8 with a byte order mark; columns month, figure, by, group, value; `<5` where a value is suppressed. " +
                "With `locale=sv-SE` fields are separated by `;` and decimals written with a comma.",
        };
        ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
            { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid from", "status": 400, "detail": "from '2026-13' is not a month, yyyy-MM." }
            """)!);
        ResponseExample(op, "404", "application/problem+json", JsonNode.Parse("""
            { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such unit", "status": 404,
              "detail": "There is no unit with id 'hemtjanst-norr' that this credential may see." }
            """)!);
    }

    private static readonly Dictionary<string, Action<OpenApiOperation>> FollowUp = new()
    {
        ["PutLearningCentre"] = op =>
        {
            JsonBody(op, "application/json", ExampleCentre.DeepClone(), "The centre and its program logic: iri, name, needs, resources, activities, activityPrefixes, effects.");
            ResponseExample(op, "201", "application/json", ExampleCentreView());
            ResponseExample(op, "200", "application/json", ExampleCentreView());
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid learning centre", "status": 400,
                  "detail": "1 problem; nothing was stored.",
                  "errors": { "$.effects[0].measure": ["is required: one of reach.peopleTrained, reach.unitsTrained, reach.hours, …"] } }
                """)!);
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "IRI taken", "status": 409,
                  "detail": "Another learning centre of this tenant has the IRI 'https://demo.lrsapi.se/xapi/activities/learning-centres/metodrum'; each centre has its own." }
                """)!);
        },
        ["GetLearningCentre"] = op => ResponseExample(op, "200", "application/json", ExampleCentreView()),
        ["ListLearningCentres"] = op =>
        {
            Query(op, "limit", "Page size, 1 to 1000 (default 100).", type: JsonSchemaType.Integer);
            Query(op, "cursor", "The cursor of a more link.");
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["learningCentres"] = new JsonArray(ExampleCentreView()), ["more"] = "/api/learning-centres?limit=1&cursor=metodrum",
            });
        },
        ["GetFollowUpReach"] = op =>
        {
            MonthlyFilters(op);
            FiguresResponses(op, ExampleFigures("reach", "2026-03", "2026-03", "metodrum", """
                [ { "month": "2026-03", "figure": "peopleTrained", "by": "employerKind", "group": "municipal", "value": 41, "suppressed": false },
                  { "month": "2026-03", "figure": "peopleTrained", "by": "employerKind", "group": "private", "value": 12, "suppressed": false },
                  { "month": "2026-03", "figure": "peopleTrained", "by": "employerKind", "group": "regional", "value": null, "suppressed": true },
                  { "month": "2026-03", "figure": "peopleTrained", "by": "all", "group": "all", "value": null, "suppressed": true },
                  { "month": "2026-03", "figure": "hours", "by": "employerKind", "group": "municipal", "value": 164, "suppressed": false },
                  { "month": "2026-03", "figure": "sessionsHeld", "by": "all", "group": "all", "value": 4, "suppressed": false },
                  { "month": "2026-03", "figure": "placesOffered", "by": "all", "group": "all", "value": 48, "suppressed": false },
                  { "month": "2026-03", "figure": "attendance", "by": "all", "group": "all", "value": 0.875, "suppressed": false } ]
                """), "month;figure;by;group;value\r\n2026-03;peopleTrained;employerKind;municipal;41\r\n2026-03;peopleTrained;employerKind;private;12\r\n" +
                "2026-03;peopleTrained;employerKind;regional;<5\r\n2026-03;peopleTrained;all;all;<5\r\n2026-03;attendance;all;all;0,875\r\n");
        },
        ["GetFollowUpShortTerm"] = op =>
        {
            MonthlyFilters(op);
            FiguresResponses(op, ExampleFigures("shortTerm", "2026-03", "2026-03", "metodrum", """
                [ { "month": "2026-03", "figure": "peopleAssessed", "by": "activity", "group": "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning", "value": 23, "suppressed": false },
                  { "month": "2026-03", "figure": "passRate", "by": "activity", "group": "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning", "value": 0.913, "suppressed": false },
                  { "month": "2026-03", "figure": "signoffRate", "by": "activity", "group": "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning", "value": 0.8571, "suppressed": false },
                  { "month": "2026-03", "figure": "scoreBand", "by": "activity", "group": "https://demo.lrsapi.se/xapi/activities/courses/demens-abc 0.8-1.0", "value": 17, "suppressed": false } ]
                """), "month;figure;by;group;value\r\n2026-03;passRate;activity;https://demo.lrsapi.se/xapi/activities/sessions/forflyttning;0,913\r\n");
        },
        ["GetFollowUpMediumTerm"] = op =>
        {
            MonthlyFilters(op);
            FiguresResponses(op, ExampleFigures("mediumTerm", "2026-03", "2026-03", "metodrum", """
                [ { "month": "2026-03", "figure": "reflectionTasks", "by": "all", "group": "all", "value": 38, "suppressed": false },
                  { "month": "2026-03", "figure": "reflectionResponseRate", "by": "all", "group": "all", "value": 0.7105, "suppressed": false },
                  { "month": "2026-03", "figure": "groupReflectionsHeld", "by": "all", "group": "all", "value": 3, "suppressed": false },
                  { "month": "2026-03", "figure": "followUpQuestions", "by": "all", "group": "all", "value": 31, "suppressed": false },
                  { "month": "2026-03", "figure": "followUpResponseRate", "by": "all", "group": "all", "value": 0.6774, "suppressed": false },
                  { "month": "2026-03", "figure": "followUpScore", "by": "score", "group": "1", "value": 0, "suppressed": false },
                  { "month": "2026-03", "figure": "followUpScore", "by": "score", "group": "2", "value": null, "suppressed": true },
                  { "month": "2026-03", "figure": "followUpScore", "by": "score", "group": "4", "value": 9, "suppressed": false },
                  { "month": "2026-03", "figure": "followUpScore", "by": "all", "group": "all", "value": null, "suppressed": true } ]
                """), "month;figure;by;group;value\r\n2026-03;reflectionTasks;all;all;38\r\n2026-03;reflectionResponseRate;all;all;0,7105\r\n2026-03;followUpScore;score;2;<5\r\n");
        },
        ["GetFollowUpLongTerm"] = op =>
        {
            MonthlyFilters(op);
            FiguresResponses(op, ExampleFigures("longTerm", "2026-03", "2026-03", null, """
                [ { "month": "2026-03", "figure": "coverage", "by": "all", "group": "all", "value": 0.7412, "suppressed": false },
                  { "month": "2026-03", "figure": "coverage", "by": "unit", "group": "vardboende-ekbacken", "value": 0.8125, "suppressed": false },
                  { "month": "2026-03", "figure": "renewedBeforeExpiry", "by": "all", "group": "all", "value": 9, "suppressed": false },
                  { "month": "2026-03", "figure": "lapsed", "by": "all", "group": "all", "value": null, "suppressed": true },
                  { "month": "2026-03", "figure": "deviations", "by": "category", "group": "fall", "value": 6, "suppressed": false },
                  { "month": "2026-03", "figure": "deviations", "by": "all", "group": "all", "value": 6, "suppressed": false } ]
                """), "month;figure;by;group;value\r\n2026-03;coverage;unit;vardboende-ekbacken;0,8125\r\n2026-03;lapsed;all;all;<5\r\n");
        },
        ["GetFollowUpBeforeAfter"] = op =>
        {
            Query(op, "unit", "The unit.", required: true, example: "vardboende-ekbacken");
            Query(op, "competence", "The competence.", required: true, example: "forflyttning");
            Query(op, "date", "The day the training wave began, yyyy-MM-dd.", required: true, example: "2026-03-02");
            Query(op, "months", "Months before and after, 1 to 24 (default 3).", type: JsonSchemaType.Integer);
            Query(op, "locale", "CSV only: sv-SE for `;` and a decimal comma, en-US (default) for `,` and a point.", example: "sv-SE");
            FiguresResponses(op, ExampleFigures("beforeAfter", "2025-12-02", "2026-06-01", null, """
                [ { "month": null, "figure": "coverage", "by": "period", "group": "before", "value": 0.45, "suppressed": false },
                  { "month": null, "figure": "renewedBeforeExpiry", "by": "period", "group": "before", "value": 0, "suppressed": false },
                  { "month": null, "figure": "deviations", "by": "period", "group": "before", "value": 14, "suppressed": false },
                  { "month": null, "figure": "coverage", "by": "period", "group": "after", "value": 0.85, "suppressed": false },
                  { "month": null, "figure": "renewedBeforeExpiry", "by": "period", "group": "after", "value": 6, "suppressed": false },
                  { "month": null, "figure": "deviations", "by": "period", "group": "after", "value": 7, "suppressed": false } ]
                """), "month;figure;by;group;value\r\n;coverage;period;before;0,45\r\n;coverage;period;after;0,85\r\n");
        },
    };
}

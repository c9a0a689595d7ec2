// The TypeScript client an integrator builds from openapi/v1.json (openapi-typescript + openapi-fetch), driving a
// running LrsApi: the framework, organisations and people, statements, a profile and a unit's gaps, a reflection task
// and its answers, and paging by `more`. Compiled with tsc --strict (no skipLibCheck); exits 1 on the first failure.
// Usage: node dist/client.js BASE_URL KEY SECRET   (a credential with every scope of a fresh tenant)
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/lrsapi.js";

type Schemas = components["schemas"];

const [baseUrl, key, secret] = process.argv.slice(2);
if (!baseUrl || !key || !secret) throw new Error("usage: client.js BASE_URL KEY SECRET");

const client = createClient<paths>({
  baseUrl,
  headers: { Authorization: "Basic " + Buffer.from(`${key}:${secret}`).toString("base64") },
});
const xapi = { "X-Experience-API-Version": "2.0.0" } as const;

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error("failed: " + what);
  console.log("ok: " + what);
}

const hr = "https://hr.typed-client.example";
const course = "https://learning.typed-client.example/courses/basal-hygien";
const passed = "http://adlnet.gov/expapi/verbs/passed";

const framework: Schemas["Framework"] = {
  competences: [{ id: "basal-hygien", name: { sv: "Basala hygienrutiner", en: "Basic hygiene" }, validity: "P1Y" }],
  rules: [{ id: "basal-hygien-course", competence: "basal-hygien", verbs: [passed], activities: [course], successRequired: true }],
  roles: [{ id: "underskoterska", name: { sv: "Undersköterska", en: "Assistant nurse" }, requirements: [{ competence: "basal-hygien", level: "required" }] }],
  reflectionTemplates: [{
    id: "basal-hygien-reflektion", title: { sv: "Reflektion: basal hygien", en: "Reflection: basic hygiene" },
    prompts: [{ id: "handtvatt", text: { sv: "Varför spritar vi händerna?", en: "Why do we disinfect our hands?" } }],
    trigger: { competence: "basal-hygien" }, mode: "individual", dueIn: "P14D",
  }],
};
{
  const { response } = await client.PUT("/api/framework", { body: framework });
  check(response.status === 200, "the framework is imported");
}

const organisations: Schemas["OrganisationInput"][] = [
  { id: "solna", name: "Solna stad", hrHomePage: hr, units: [{ id: "ekbacken", name: "Vårdboende Ekbacken" }] },
];
{
  const { data, response } = await client.PUT("/api/organisations", { body: organisations });
  check(response.status === 200 && data !== undefined, "organisations are upserted");
}

const people: Schemas["PersonInput"][] = ["E1", "E2", "E3"].map(id => ({
  id, organisationId: "solna", name: "Person " + id, units: ["ekbacken"], roles: ["underskoterska"],
  agents: [{ mbox: `mailto:${id.toLowerCase()}@solna.typed-client.example` }],
}));
{
  const { data } = await client.PUT("/api/people", { body: people });
  check(data?.created === 3, "three people are created (counts are integers)");
}

const statement: Schemas["Statement"] = {
  actor: { objectType: "Agent", account: { homePage: hr, name: "E1" } },
  verb: { id: passed, display: { "en-US": "passed" } },
  object: { objectType: "Activity", id: course, definition: { name: { "sv-SE": "Basal hygien" } } },
  result: { success: true, score: { scaled: 0.9 } },
};
{
  const { data } = await client.POST("/xapi/statements", { params: { header: xapi }, body: [statement] });
  check(Array.isArray(data) && data.length === 1, "a statement is stored");
  const { data: page } = await client.GET("/xapi/statements", { params: { header: xapi, query: { verb: passed, limit: 10 } } });
  check(page !== undefined && "statements" in page && page.statements.length === 1, "the statement is read back as a StatementResult");
}

{
  const { data: profile } = await client.GET("/api/people/{id}/profile", { params: { path: { id: "E1" } } });
  check(profile?.competences.some(c => c.competence === "basal-hygien" && c.status === "valid") === true, "E1's profile holds the competence as valid");
  const { data: gaps } = await client.GET("/api/units/{id}/gaps", { params: { path: { id: "ekbacken" } } });
  check(gaps !== undefined && gaps.people.filter(p => p.lacking.some(l => l.competence === "basal-hygien")).length === 2, "the unit's gaps list the two others");
}

{
  const { data: list } = await client.GET("/api/reflection-tasks", { params: { query: { person: "E1", status: "open" } } });
  const task = list?.tasks[0];
  check(task !== undefined && task.prompts.length === 1, "E1 has an open reflection task with its prompt");
  const answers: Schemas["AnswersInput"] = { answers: [{ promptId: task.prompts[0]!.id, response: "Händerna för smitta vidare." }], sharedWithGroup: false };
  const { data: answered } = await client.POST("/api/reflection-tasks/{id}/answers", { params: { path: { id: task.id } }, body: answers });
  check(answered?.status === "answered" && answered.answerCount === 1, "the task is answered");
}

{
  const seen: string[] = [];
  let query: { limit: number; cursor?: string } = { limit: 1 };
  for (let pages = 0; pages < 10; pages++) {
    const { data } = await client.GET("/api/people", { params: { query } });
    if (data === undefined) throw new Error("failed: a page of people");
    seen.push(...data.people.map(p => p.id));
    if (!data.more) break;
    const cursor = new URL(data.more, baseUrl).searchParams.get("cursor");
    check(cursor !== null, "more carries the cursor of the next page");
    query = { limit: 1, cursor };
  }
  check(seen.join(",") === "E1,E2,E3", "paging with more visits every person once");
}

{
  const { error, response } = await client.GET("/api/people", { params: { query: { limit: 5000 } } });
  check(response.status === 400 && error?.status === 400, "a bad limit is a ProblemDetails");
}
console.log("all passed");

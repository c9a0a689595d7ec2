// Drives a running LrsApi with TinCanJS, the widely used xAPI client, the way e-learning content does.
// TinCanJS speaks up to 1.0.2; the LRS serves every 1.0.x as 1.0.3.
// Usage: node tincan.js ENDPOINT KEY SECRET   (ENDPOINT like http://127.0.0.1:5000/xapi/)
// Prints one line per step; exits non-zero on the first failure.
"use strict";
const TinCan = require("tincanjs");
const crypto = require("crypto");

const [endpoint, username, password] = process.argv.slice(2);
const lrs = new TinCan.LRS({ endpoint, username, password, version: "1.0.2", allowFail: false });

const run = crypto.randomUUID();
const learner = new TinCan.Agent({ name: "Anna Andersson", account: { homePage: "https://hr.solna.se", name: "E" + run.slice(0, 8) } });
const course = new TinCan.Activity({
    id: "https://learning.solna.se/courses/basal-hygien/" + run,
    definition: { name: { "sv-SE": "Basala hygienrutiner" }, type: "http://adlnet.gov/expapi/activities/course" },
});
const registration = crypto.randomUUID();

function call(method, ...args) {
    return new Promise((resolve, reject) => {
        const cfg = args.pop() || {};
        cfg.callback = (err, result) => (err ? reject(new Error(`${method} failed: ${err} ${result && result.responseText ? result.responseText : ""}`)) : resolve(result));
        lrs[method](...args, cfg);
    });
}

// TinCanJS hands back JSON documents already parsed.
const json = (contents) => (typeof contents === "string" ? JSON.parse(contents) : contents);

function check(condition, message) {
    if (!condition) throw new Error(message);
    console.log("ok - " + message);
}

async function main() {
    // Statements: a batch, as an LMS syncs a course's progress.
    const verbs = ["initialized", "progressed", "passed", "completed", "terminated"];
    const statements = verbs.map((verb) => new TinCan.Statement({
        actor: learner,
        verb: { id: "http://adlnet.gov/expapi/verbs/" + verb, display: { "en-US": verb } },
        target: course,
        context: new TinCan.Context({ registration }),
        result: verb === "passed" ? { success: true, score: { scaled: 0.92 } } : undefined,
    }));
    await call("saveStatements", statements, {});
    check(true, "saveStatements stored a batch of " + statements.length);

    const one = await call("retrieveStatement", statements[2].id, {});
    check(one && one.id === statements[2].id && one.verb.id.endsWith("/passed"), "retrieveStatement returns the stored statement");
    check(one.authority !== null && one.stored !== null, "the LRS set stored and authority");

    // Query with a small page size and follow every more link.
    const seen = [];
    let page = await call("queryStatements", { params: { agent: learner, registration, limit: 2, ascending: true } });
    seen.push(...page.statements.map((s) => s.id));
    while (page.more) {
        page = await call("moreStatements", { url: page.more });
        seen.push(...page.statements.map((s) => s.id));
    }
    check(JSON.stringify(seen) === JSON.stringify(statements.map((s) => s.id)), "queryStatements with limit 2 and moreStatements return all five in order");

    // State: per registration, with concurrency (ETag) as cmi5 content uses it.
    await call("saveState", "bookmark", { page: 7 }, { activity: course, agent: learner, registration, contentType: "application/json" });
    const state = await call("retrieveState", "bookmark", { activity: course, agent: learner, registration });
    check(state && state.contents && json(state.contents).page === 7, "saveState/retrieveState round-trip");
    await call("saveState", "bookmark", { page: 8 }, { activity: course, agent: learner, registration, contentType: "application/json", lastSHA1: state.etag });
    const updated = await call("retrieveState", "bookmark", { activity: course, agent: learner, registration });
    check(json(updated.contents).page === 8, "saveState with the ETag from retrieveState updates the document");
    await call("dropState", "bookmark", { activity: course, agent: learner, registration });
    const dropped = await call("retrieveState", "bookmark", { activity: course, agent: learner, registration });
    check(dropped === null || dropped.contents === undefined || dropped.contents === null || dropped.contents === "", "dropState deletes the state");

    // Activity profile and agent profile.
    await call("saveActivityProfile", "reflection-prompts", { sv: "Varför är handhygien viktig?" }, { activity: course, contentType: "application/json" });
    const activityProfile = await call("retrieveActivityProfile", "reflection-prompts", { activity: course });
    check(json(activityProfile.contents).sv.startsWith("Varför"), "saveActivityProfile/retrieveActivityProfile round-trip");

    await call("saveAgentProfile", "cmi5LearnerPreferences", { languagePreference: "sv-SE", audioPreference: "on" }, { agent: learner, contentType: "application/json" });
    const agentProfile = await call("retrieveAgentProfile", "cmi5LearnerPreferences", { agent: learner });
    check(json(agentProfile.contents).languagePreference === "sv-SE", "saveAgentProfile/retrieveAgentProfile round-trip");

    console.log("all passed");
}

main().catch((e) => {
    console.error("not ok - " + e.message);
    process.exit(1);
});

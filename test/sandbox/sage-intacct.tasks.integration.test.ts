import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { createIntacctConnector, type IntacctConnector } from '../../src-main/connectors/sage-intacct';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startIntacctSimulator } from '../../src-main/sandbox/sage-intacct/index';
import { IntacctRequestLog } from './intacct-xsd';

/**
 * The Intacct simulator's project tasks, written the way Intacct's Projects application takes
 * them (XML API 3.0 "Create Task" / "Update Task" / "Delete Task"; the XSD's legacy create_task
 * needs taskname and projectid): `<create><TASK>` needs NAME and PROJECTID (and TASKID, this
 * company numbering no tasks), refuses an unknown project in Intacct's error shape (one error per
 * problem, then "Could not create Task record!"), gives a RECORDNO and stamps WHENMODIFIED, so a
 * `query` on WHENMODIFIED sees the change; read back through F3's Intacct connector. Every request
 * document is checked against the vendor's api.xsd (read at run time from ../shared/vendor-specs).
 */

type Node = Record<string, unknown>;
const GATEWAY = '/ia/xml/xmlgw.phtml';
const sent = new IntacctRequestLog();
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false });

let sim: RunningSimulator;
let connector: IntacctConnector;
let project: string;
let project2: string;
let parentTask: { recordNo: string; taskId: string };

/** One function under a login, its `<result>`. */
async function call(body: string): Promise<Node> {
  const c = sim.credentials;
  const xml = `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${String(c.senderId)}</senderid><password>${String(c.senderPassword)}</password><controlid>tasks</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><login><userid>${String(c.userId)}</userid><companyid>${String(c.companyId)}</companyid><password>${String(c.userPassword)}</password></login></authentication><content><function controlid="f">${body}</function></content></operation></request>`;
  sent.record(xml, /<function controlid="f">\s*<(\w+)>\s*<(\w+)/.exec(xml)?.slice(1).join(' ') ?? 'request');
  const res = await fetch(`${sim.baseUrl}${GATEWAY}`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
  expect(res.status).toBe(200);
  return ((parser.parse(await res.text()) as { response: { operation: { result: Node } } }).response.operation.result ?? {}) as Node;
}

const asList = <T,>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const errors = (result: Node): Node[] => asList((result.errormessage as Node | undefined)?.error as Node[] | Node | undefined);
const errorText = (result: Node): string => errors(result).map((e) => `${String(e.description)}: ${String(e.description2)}`).join(' | ');
const data = (result: Node, element: string): Node => asList((result.data as Node | undefined)?.[element] as Node | Node[] | undefined)[0] ?? {};

/** TASK rows by a `query` (the newer read function), optionally only those modified at or after `since`. */
async function queryTasks(filter: string): Promise<Node[]> {
  const result = await call(
    `<query><object>TASK</object><select><field>RECORDNO</field><field>TASKID</field><field>NAME</field><field>PROJECTID</field><field>PROJECTNAME</field><field>PARENTID</field><field>BILLABLE</field><field>WHENMODIFIED</field></select><filter>${filter}</filter></query>`,
  );
  expect(result.status, errorText(result)).toBe('success');
  return asList((result.data as Node | undefined)?.TASK as Node | Node[] | undefined);
}

const advance = (ms: number) => fetch(`${sim.baseUrl}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: ms }) });

beforeAll(async () => {
  sim = await startIntacctSimulator({ dataDir: null });
  const c = sim.credentials;
  connector = createIntacctConnector(
    {
      baseUrl: sim.baseUrl,
      allowedHosts: [new URL(sim.baseUrl).hostname],
      logger: silentLogger,
      now: () => sim.clock.now(),
      secrets: { getSecrets: async () => ({ senderPassword: String(c.senderPassword), userPassword: String(c.userPassword) }) },
    },
    { endpointUrl: `${sim.baseUrl}${GATEWAY}`, senderId: String(c.senderId), companyId: String(c.companyId), userId: String(c.userId) },
    { clock: { now: () => sim.clock.now(), sleep: async (ms) => sim.clock.advance(Math.max(0, ms)) }, retry: { random: () => 0.5 }, observeRequest: (xml, label) => sent.record(xml, label) },
  );
  const state = (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Record<string, Record<string, string>[]>;
  const projects = (state.PROJECT ?? []).filter((p) => p.STATUS === 'active');
  project = projects[0]!.PROJECTID!;
  project2 = projects[1]!.PROJECTID!;
  const task = (state.TASK ?? []).find((t) => t.PROJECTID === project)!;
  parentTask = { recordNo: task.RECORDNO!, taskId: task.TASKID! };
});
afterAll(async () => {
  await sim?.close();
});

describe('Intacct simulator: project tasks written through the XML API', () => {
  let recordNo = '';

  it('create: a RECORDNO is given, the project named, WHENMODIFIED stamped; the answer names RECORDNO and TASKID', async () => {
    await advance(60_000);
    const since = (await queryTasks(`<equalto><field>PROJECTID</field><value>${project}</value></equalto>`)).map((t) => String(t.WHENMODIFIED)).sort().at(-1)!;
    await advance(60_000);
    const created = await call(
      `<create><TASK><TASKID>99-990</TASKID><NAME>Winter works</NAME><PROJECTID>${project}</PROJECTID><PARENTID>${parentTask.taskId}</PARENTID><DESCRIPTION>Frost protection</DESCRIPTION><BILLABLE>true</BILLABLE><PRIORITY>2</PRIORITY><TASKSTATUS>Planned</TASKSTATUS><PBEGINDATE>12/01/2026</PBEGINDATE><PENDDATE>02/28/2027</PENDDATE></TASK></create>`,
    );
    expect(created.status, errorText(created)).toBe('success');
    recordNo = String(data(created, 'task').RECORDNO);
    expect(recordNo).toMatch(/^\d+$/);
    expect(data(created, 'task').TASKID).toBe('99-990');

    // The incremental read: what changed after the newest stamp before the create.
    const changed = await queryTasks(`<greaterthan><field>WHENMODIFIED</field><value>${since}</value></greaterthan>`);
    expect(changed).toEqual([
      expect.objectContaining({ RECORDNO: recordNo, TASKID: '99-990', NAME: 'Winter works', PROJECTID: project, PARENTID: parentTask.taskId, BILLABLE: 'true', PROJECTNAME: expect.stringMatching(/\w/) }),
    ]);
  });

  it('create: NAME, PROJECTID and TASKID are required, each said in its own error, then "Could not create Task record!"', async () => {
    const refused = await call(`<create><TASK><DESCRIPTION>No name, no project</DESCRIPTION></TASK></create>`);
    expect(refused.status).toBe('failure');
    expect(data(refused, 'task')).toEqual({});
    expect((refused.data as Node)['@_count']).toBe('0');
    expect(errors(refused).map((e) => String(e.description2).replace(/ \[Support ID: .*\]$/, ''))).toEqual(['TASKID is required.', 'NAME is required.', 'PROJECTID is required.', 'Could not create Task record!']);
    expect(errors(refused).every((e) => /^BL\d+$/.test(String(e.errorno)))).toBe(true);
  });

  it('create: an unknown PROJECTID, a TASKID the project already has, a parent of another project are refused', async () => {
    const unknown = await call(`<create><TASK><TASKID>99-991</TASKID><NAME>Nowhere</NAME><PROJECTID>P-NOPE</PROJECTID></TASK></create>`);
    expect(unknown.status).toBe('failure');
    expect(errorText(unknown)).toMatch(/PROJECTID: Invalid Project 'P-NOPE' specified\..*Could not create Task record!/);

    const twice = await call(`<create><TASK><TASKID>99-990</TASKID><NAME>Again</NAME><PROJECTID>${project}</PROJECTID></TASK></create>`);
    expect(errorText(twice)).toMatch(new RegExp(`Another task of project ${project} already uses TASKID 99-990`));
    // The same TASKID in another project is another task.
    const elsewhere = await call(`<create><TASK><TASKID>99-990</TASKID><NAME>Winter works</NAME><PROJECTID>${project2}</PROJECTID></TASK></create>`);
    expect(elsewhere.status, errorText(elsewhere)).toBe('success');

    const foreignParent = await call(`<create><TASK><TASKID>99-992</TASKID><NAME>Sub</NAME><PROJECTID>${project2}</PROJECTID><PARENTKEY>${parentTask.recordNo}</PARENTKEY></TASK></create>`);
    expect(errorText(foreignParent)).toMatch(/Invalid parent task/);
    const unknownField = await call(`<create><TASK><TASKID>99-993</TASKID><NAME>Odd</NAME><PROJECTID>${project}</PROJECTID><COLOUR>red</COLOUR></TASK></create>`);
    expect(errorText(unknownField)).toMatch(/TASK has no field COLOUR/);
  });

  it('update by RECORDNO: NAME changes and WHENMODIFIED moves; the project of a task stays; RECORDNO is required', async () => {
    const [before] = await queryTasks(`<equalto><field>RECORDNO</field><value>${recordNo}</value></equalto>`);
    await advance(60_000);
    const updated = await call(`<update><TASK><RECORDNO>${recordNo}</RECORDNO><NAME>Winter works and frost protection</NAME></TASK></update>`);
    expect(updated.status, errorText(updated)).toBe('success');
    expect(data(updated, 'task')).toMatchObject({ RECORDNO: recordNo, TASKID: '99-990' });
    const changed = await queryTasks(`<greaterthan><field>WHENMODIFIED</field><value>${String(before!.WHENMODIFIED)}</value></greaterthan>`);
    expect(changed).toEqual([expect.objectContaining({ RECORDNO: recordNo, NAME: 'Winter works and frost protection', PROJECTID: project })]);

    expect(errorText(await call(`<update><TASK><RECORDNO>${recordNo}</RECORDNO><PROJECTID>${project2}</PROJECTID></TASK></update>`))).toMatch(/PROJECTID of a task cannot be changed/);
    expect(errorText(await call(`<update><TASK><TASKID>99-990</TASKID><NAME>Which one?</NAME></TASK></update>`))).toMatch(/RECORDNO is required to update a task.*Could not update Task record!/);
    expect(errorText(await call(`<update><TASK><RECORDNO>999999</RECORDNO><NAME>Gone</NAME></TASK></update>`))).toMatch(/No TASK has RECORDNO 999999/);
  });

  it('read back through F3’s Intacct connector (readReference TASK), the new name under its project', async () => {
    const reference = await connector.readReference(['TASK']);
    const mine = (reference.TASK ?? []).filter((t) => t.id === '99-990');
    expect(mine.map((t) => [t.projectId, t.name, t.active, t.recordNo]).sort()).toEqual(
      [
        [project, 'Winter works and frost protection', true, recordNo],
        [project2, 'Winter works', true, expect.stringMatching(/^\d+$/)],
      ].sort(),
    );
  });

  it('delete: a task without transactions, subtasks or cost types goes; one with cost types stays', async () => {
    const [other] = await queryTasks(`<and><equalto><field>TASKID</field><value>99-990</value></equalto><equalto><field>PROJECTID</field><value>${project2}</value></equalto></and>`);
    const deleted = await call(`<delete><object>TASK</object><keys>${String(other!.RECORDNO)}</keys></delete>`);
    expect(deleted.status, errorText(deleted)).toBe('success');
    expect(await queryTasks(`<equalto><field>RECORDNO</field><value>${String(other!.RECORDNO)}</value></equalto>`)).toEqual([]);
    const seeded = await call(`<delete><object>TASK</object><keys>${parentTask.recordNo}</keys></delete>`);
    expect(errorText(seeded)).toMatch(/has subtasks.*has cost types.*Could not delete Task record!/);
  });

  it('every request document sent is valid against Intacct’s api.xsd', async () => {
    expect(sent.size).toBeGreaterThan(10);
    expect(await sent.problems()).toEqual([]);
  });
});

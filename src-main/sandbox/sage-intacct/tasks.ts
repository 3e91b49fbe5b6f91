import type { IntacctCompany } from './company';
import { recordFailure } from './errors';
import type { IntacctRecord } from './objects';
import { readFields } from './records';
import { parseIntacctDate } from './values';
import { textOf, type XmlObject } from './xml';

/**
 * Project tasks (`<create>/<update><TASK>`, `<delete><object>TASK</object>`): Intacct's Projects
 * application ("Create Task", "Update Task", "Delete Task" of the XML API 3.0; the XSD's legacy
 * create_task needs taskname and projectid, update_task and delete_task key on the record).
 * Create needs NAME and PROJECTID, and TASKID because this company numbers no tasks (document
 * sequencing off); a TASKID is unique within its project only. PARENTKEY (RECORDNO) or PARENTID
 * (TASKID) names a parent task of the same project. Update keys on RECORDNO (a TASKID alone names
 * a task of every project); the project and the id of a task stay as created. Every write stamps
 * WHENMODIFIED, so a `query` on WHENMODIFIED sees it.
 */
export function writeTask(company: IntacctCompany, input: XmlObject, mode: 'create' | 'update'): IntacctRecord {
  const table = company.table('TASK');
  const schema = table.schema;
  const problems: string[] = [];
  const summary = `Could not ${mode} Task record!`;
  let record: IntacctRecord = { fields: {} };
  let before: Record<string, string> = {};
  if (mode === 'update') {
    const recordNo = textOf(input.RECORDNO);
    if (!recordNo) throw recordFailure(['RECORDNO is required to update a task (a TASKID is unique within its project only).'], 'Invalid task', summary);
    const existing = table.get(recordNo);
    if (!existing) throw recordFailure([`No TASK has RECORDNO ${recordNo}.`], 'Task not found', summary);
    before = existing.fields;
    record = { fields: { ...existing.fields } };
  }
  Object.assign(record.fields, readFields(schema, input, new Set(mode === 'update' ? ['RECORDNO'] : []), (p) => problems.push(p)));
  const f = record.fields;
  for (const field of schema.required) if (!f[field]) problems.push(`${field} is required.`);
  if (mode === 'update') {
    for (const field of ['TASKID', 'PROJECTID']) {
      if (f[field] !== before[field]) problems.push(`${field} of a task cannot be changed (task ${before.TASKID ?? ''} of project ${before.PROJECTID ?? ''}).`);
    }
  }

  const project = f.PROJECTID ? company.activeRecord('PROJECT', 'Project', f.PROJECTID) : null;
  if (project && 'problem' in project) problems.push(`PROJECTID: ${project.problem}`);
  const projectRecord = project && 'record' in project ? project.record : null;
  if (mode === 'create' && f.TASKID && f.PROJECTID && table.byBusinessId(f.TASKID, f.PROJECTID)) {
    problems.push(`Another task of project ${f.PROJECTID} already uses TASKID ${f.TASKID}.`);
  }

  // The parent: by RECORDNO (PARENTKEY) or TASKID (PARENTID), in the same project.
  const parentGiven = input.PARENTKEY !== undefined || input.PARENTID !== undefined;
  if (parentGiven && (f.PARENTKEY || f.PARENTID)) {
    const parent = f.PARENTKEY ? table.get(f.PARENTKEY) : f.PROJECTID ? table.byBusinessId(f.PARENTID ?? '', f.PROJECTID) : undefined;
    if (!parent || parent.fields.PROJECTID !== f.PROJECTID) problems.push(`Invalid parent task '${f.PARENTKEY ?? f.PARENTID ?? ''}' specified: it must be a task of project ${f.PROJECTID ?? ''}.`);
    else if (parent.fields.RECORDNO === f.RECORDNO) problems.push('A task cannot be its own parent.');
    else if (f.PARENTKEY && f.PARENTID && parent.fields.TASKID !== f.PARENTID) problems.push(`PARENTKEY ${f.PARENTKEY} and PARENTID ${f.PARENTID} name different tasks.`);
    else Object.assign(f, { PARENTKEY: parent.fields.RECORDNO ?? '', PARENTID: parent.fields.TASKID ?? '', PARENTNAME: parent.fields.NAME ?? '' });
  } else if (parentGiven) {
    Object.assign(f, { PARENTKEY: '', PARENTID: '', PARENTNAME: '' });
  }

  // This company keeps no catalog of standard tasks (STANDARDTASK is not served).
  if (f.STANDARDTASKID) problems.push(`Invalid Standard Task '${f.STANDARDTASKID}' specified.`);
  for (const [field, object, label] of [
    ['ITEMID', 'ITEM', 'Item'],
    ['CLASSID', 'CLASS', 'Class'],
  ] as const) {
    const id = f[field];
    if (!id || id === before[field]) continue;
    const found = company.activeRecord(object, label, id);
    if ('problem' in found) problems.push(`${field}: ${found.problem}`);
  }
  const [begin, end] = [f.PBEGINDATE, f.PENDDATE].map((d) => (d ? parseIntacctDate(d) : null));
  if (begin !== null && begin !== undefined && end !== null && end !== undefined && end < begin) problems.push(`PENDDATE ${f.PENDDATE ?? ''} is before PBEGINDATE ${f.PBEGINDATE ?? ''}.`);
  if (problems.length > 0) throw recordFailure(problems, 'Invalid task', summary);

  const now = company.stamp();
  if (mode === 'create') {
    f.RECORDNO = table.nextRecordNo();
    f.STATUS ||= 'active';
    f.BILLABLE ||= 'false';
    f.WHENCREATED = now;
  }
  f.PROJECTNAME = projectRecord?.fields.NAME ?? f.PROJECTNAME ?? '';
  f.PROJECTKEY = projectRecord?.fields.RECORDNO ?? f.PROJECTKEY ?? '';
  f.WHENMODIFIED = now;
  table.put(record);
  return record;
}

/**
 * Generic delete of a task: refused while a transaction line names it (make it inactive
 * instead), while it has subtasks, or while cost types hang under it (Construction).
 */
export function deleteTask(company: IntacctCompany, recordNo: string): void {
  const table = company.table('TASK');
  const task = table.get(recordNo);
  const summary = 'Could not delete Task record!';
  if (!task) throw recordFailure([`No TASK has RECORDNO ${recordNo}.`], 'Task not found', summary);
  const { TASKID: taskId = '', PROJECTID: projectId = '' } = task.fields;
  const names = (line: Record<string, string>) => line.TASKID === taskId && line.PROJECTID === projectId;
  const problems: string[] = [];
  if (['APBILL', 'PODOCUMENT', 'GLBATCH'].some((object) => company.table(object).all().some((doc) => (doc.lines ?? []).some(names)))) {
    problems.push(`Task ${taskId} of project ${projectId} is used by transactions; make it inactive instead of deleting it.`);
  }
  if (table.all().some((t) => t.fields.PARENTKEY === recordNo)) problems.push(`Task ${taskId} of project ${projectId} has subtasks; delete or move them first.`);
  if (company.table('COSTTYPE').all().some((c) => names(c.fields))) problems.push(`Task ${taskId} of project ${projectId} has cost types; delete them first.`);
  if (problems.length > 0) throw recordFailure(problems, 'Invalid task', summary);
  table.delete(recordNo);
}

import type { IntacctCompany } from './company';
import { ERR, fail } from './errors';
import type { IntacctFieldType, ObjectSchema } from './objects';
import { PO_TRANSACTION_TYPES } from './purchasing';
import { el, textOf, type XmlObject } from './xml';

/**
 * `lookup` and `inspect` (fact sheet 2.2, 2.8; XSD `lookup`: object + docparid, `inspect`:
 * object or name, attribute detail): the fields of an object, custom fields flagged, so a
 * client can discover what a company has instead of hard-coding it. The element names follow
 * the documented shape (lookup: Type/Fields/Field with ID, LABEL, REQUIRED, READONLY, DATATYPE,
 * ISCUSTOM; inspect: Type/Fields/Field names, or with detail="1" one block per field).
 */
const DATATYPE: Record<IntacctFieldType, string> = {
  text: 'TEXT',
  integer: 'INTEGER',
  decimal: 'DECIMAL',
  number: 'DECIMAL',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export function lookup(company: IntacctCompany, node: XmlObject): string {
  const schema = describedSchema(company, textOf(node.object) ?? '', textOf(node.docparid));
  const fields = Object.entries(schema.fields).map(([id, type]) =>
    el('Field', [
      el('ID', id),
      el('LABEL', id),
      el('DESCRIPTION', ''),
      el('REQUIRED', String(schema.required.includes(id))),
      el('READONLY', String(schema.readOnly.includes(id))),
      el('DATATYPE', DATATYPE[type]),
      el('ISCUSTOM', String(schema.customFields.includes(id))),
      ...(schema.enums[id] ? [el('VALIDVALUES', (schema.enums[id] ?? []).map((v) => el('VALIDVALUE', v)))] : []),
    ]),
  );
  return el('data', [el('Type', [el('Fields', fields)], { Name: schema.name, DocumentType: textOf(node.docparid) ?? '' })], { listtype: 'All', count: 1 });
}

export function inspect(company: IntacctCompany, node: XmlObject): string {
  const name = textOf(node.object) ?? textOf(node.name) ?? '';
  if (name === '*') {
    const types = Object.values(company.tables).map((t) => el('Type', t.schema.label, { typename: t.schema.name }));
    return el('data', types, { listtype: 'All', count: types.length });
  }
  const schema = describedSchema(company, name, undefined);
  const detail = textOf(node['@_detail']) === '1';
  const fields = Object.entries(schema.fields).map(([id, type]) =>
    detail
      ? el('Field', [
          el('Name', id),
          el('externalDataName', id),
          el('DisplayLabel', id),
          el('isRequired', String(schema.required.includes(id))),
          el('isReadOnly', String(schema.readOnly.includes(id))),
          el('isCustom', String(schema.customFields.includes(id))),
          el('dataType', DATATYPE[type]),
        ])
      : el('Field', id),
  );
  return el('data', [el('Type', [el('Name', schema.label), el('Fields', fields)], { Name: schema.name })], { listtype: 'All', count: 1 });
}

function describedSchema(company: IntacctCompany, objectName: string, docparid: string | undefined): ObjectSchema {
  if (!objectName) throw fail(ERR.QUERY, 'Invalid object', 'Name the object to describe, e.g. <object>APBILL</object>.');
  const schema = company.table(objectName).schema;
  if (docparid !== undefined && docparid !== '' && (schema.name !== 'PODOCUMENT' || !PO_TRANSACTION_TYPES[docparid])) {
    throw fail(ERR.QUERY, 'Invalid docparid', `docparid '${docparid}' is not a transaction definition of ${schema.name} (this company has ${Object.keys(PO_TRANSACTION_TYPES).join(', ')} for PODOCUMENT).`);
  }
  return schema;
}

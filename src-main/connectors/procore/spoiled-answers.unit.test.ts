import { describe, expect, it } from 'vitest';
import { parseProcoreJson, ProcoreResponseShapeError } from './mappers';

/** Found by the fuzz suite (issue 18): a cut-off answer ended the run with "Unexpected end of JSON input". */
describe('parseProcoreJson on answers that are not JSON', () => {
  it.each([
    ['[{"id": 12', /Procore's answer to \/rest\/v1\.0\/cost_codes is not complete JSON \(it starts "\[\{\\"id\\": 12"\)/],
    ['', /is not complete JSON \(it was empty\)/],
    ['<!DOCTYPE html><html>', /is not complete JSON \(it starts "<!DOCTYPE html><html>"\)/],
  ])('%j: a ProcoreResponseShapeError in plain words', (text, message) => {
    expect(() => parseProcoreJson(text, 'http://127.0.0.1:9/rest/v1.0/cost_codes?project_id=1')).toThrow(ProcoreResponseShapeError);
    expect(() => parseProcoreJson(text, 'http://127.0.0.1:9/rest/v1.0/cost_codes?project_id=1')).toThrow(message);
  });

  it('still keeps big ids exact', () => {
    expect(parseProcoreJson('{"id": 562949953421312123}')).toEqual({ id: '562949953421312123' });
  });
});

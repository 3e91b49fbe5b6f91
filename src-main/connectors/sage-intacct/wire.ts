/**
 * Wire shapes of the XML gateway's responses as the kit's parser gives them (fact sheet 2.4,
 * 2.5): every value a string (no number coercion), attributes under `@_name`, an element that
 * holds only text as that string, an empty element as ''. Every field is optional: Intacct's
 * gateway failures carry a control block with only `status` (2.12), so readers check each one.
 */

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export interface WireError {
  errorno?: string;
  description?: string;
  description2?: string;
  correction?: string;
}

export interface WireErrorMessage {
  error?: WireError[];
}

export interface WireControl {
  status?: string;
  senderid?: string;
  controlid?: string;
  uniqueid?: string;
  dtdversion?: string;
}

export interface WireAuthentication {
  status?: string;
  userid?: string;
  companyid?: string;
  locationid?: string;
  sessiontimestamp?: string;
  /** Projected expiry of the session (ISO with offset); slides with every call (2.4). */
  sessiontimeout?: string;
}

export interface WireResult {
  status?: string;
  function?: string;
  controlid?: string;
  /** Generic functions: `<data listtype=… count=… [totalcount numremaining offset resultId]>`. */
  data?: XmlNode | string;
  /** Legacy functions (create_bill, create_potransaction, …): the new record's key. */
  key?: string;
  errormessage?: WireErrorMessage;
}

export interface WireResponse {
  response?: {
    control?: WireControl;
    /** Control-level failure: nothing ran. */
    errormessage?: WireErrorMessage;
    operation?: {
      authentication?: WireAuthentication;
      /** Authentication failure (e.g. XL03000006 sender not authorised): no function ran. */
      errormessage?: WireErrorMessage;
      result?: WireResult[];
    };
  };
}

/** getAPISession's data (2.4). */
export interface WireApiSession {
  sessionid?: string;
  endpoint?: string;
  locationid?: string;
}

/** Element paths that are always arrays, so one result and many have the same shape. */
export const ARRAY_PATHS = [
  'response.operation.result',
  'response.errormessage.error',
  'response.operation.errormessage.error',
  'response.operation.result.errormessage.error',
] as const;

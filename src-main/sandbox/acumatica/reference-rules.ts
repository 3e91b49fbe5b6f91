import {
  EMPTY,
  NOT_FOUND,
  find,
  isBlank,
  statusAction,
  table,
  type EntityRules,
  type RuleContext,
} from './rule-kit';

/**
 * Reference data a connector reads and sometimes writes: vendors (with their linked contacts),
 * GL accounts, subaccounts, projects, project tasks and cost codes. Defaults and existence
 * checks only; Acumatica's own forms validate far more.
 */
const VENDOR_STATUSES = ['Active', 'On Hold', 'Hold Payments', 'Inactive', 'One-Time'];
const ACCOUNT_TYPES = ['Asset', 'Liability', 'Income', 'Expense'];

export const vendorRules: EntityRules = {
  save(ctx, vendor, change, errors) {
    const v = vendor.values;
    if (isBlank(v.VendorName)) errors.field('VendorName', EMPTY('Vendor Name'));
    v.Status ??= 'Active';
    if (!VENDOR_STATUSES.includes(String(v.Status)))
      errors.field(
        'Status',
        `'${String(v.Status)}' is not a vendor status (expected one of: ${VENDOR_STATUSES.join(', ')}).`,
      );
    v.CurrencyID ??= ctx.currency;
    v.LegalName ??= v.VendorName ?? null;
    v.PaymentMethod ??= 'CHECK';
    v.Terms ??= '30D';
    if (!isBlank(v.APAccount) && !find(ctx, 'Account', [v.APAccount]))
      errors.field('APAccount', NOT_FOUND('AP Account'));
    if (!isBlank(v.APSubaccount) && !find(ctx, 'Subaccount', [v.APSubaccount]))
      errors.field('APSubaccount', NOT_FOUND('AP Sub.'));
    if (!isBlank(v.CashAccount) && find(ctx, 'Account', [v.CashAccount])?.values.CashAccount !== true)
      errors.field('CashAccount', NOT_FOUND('Cash Account'));
    // The vendor's own contact (BAccount DefContact): its company name is the vendor's name.
    const main = ((vendor.linked ??= {}).MainContact ??= { id: ctx.newGuid(), values: {} });
    if (change.isNew || change.sent.fields.has('VendorName'))
      main.values.CompanyName ??= v.VendorName ?? null;
    main.values.DisplayName ??= main.values.CompanyName ?? null;
    return [];
  },
  unmodelledActions: ['CreateContactFromVendor'],
};

/** The next integer id (AccountID, SubaccountID) after the highest in use. */
function nextId(ctx: RuleContext, entity: string, field: string): number {
  return (
    table(ctx, entity)
      .collection.all()
      .reduce((max, r) => Math.max(max, Number(r.values[field] ?? 0)), 0) + 1
  );
}

export const accountRules: EntityRules = {
  save(ctx, account, _change, errors) {
    const v = account.values;
    if (isBlank(v.Type)) errors.field('Type', EMPTY('Type'));
    else if (!ACCOUNT_TYPES.includes(String(v.Type)))
      errors.field(
        'Type',
        `'${String(v.Type)}' is not an account type (expected one of: ${ACCOUNT_TYPES.join(', ')}).`,
      );
    v.Active ??= true;
    v.CashAccount ??= false;
    v.CurrencyID ??= ctx.currency;
    v.AccountID ??= nextId(ctx, 'Account', 'AccountID');
    return [];
  },
};

export const subaccountRules: EntityRules = {
  save(ctx, sub) {
    sub.values.Active ??= true;
    sub.values.Secured ??= false;
    sub.values.SubaccountID ??= nextId(ctx, 'Subaccount', 'SubaccountID');
    return [];
  },
};

export const projectRules: EntityRules = {
  save(_ctx, project) {
    project.values.Status ??= 'Active';
    project.values.Hold ??= false;
    return [];
  },
  unmodelledActions: [
    'RunProjectAllocation',
    'ValidateProjectBalance',
    'RunProjectBilling',
    'ApproveProject',
    'RejectProject',
    'LockProjectBudget',
    'UnlockProjectBudget',
    'LockProjectCommitments',
    'UnlockProjectCommitments',
    'ChangeProjectID',
    'ActivateProject',
    'HoldProject',
    'CompleteProject',
    'SuspendProject',
    'CancelProject',
  ],
};

export const projectTaskRules: EntityRules = {
  save(ctx, task, _change, errors) {
    const v = task.values;
    if (!isBlank(v.ProjectID) && !find(ctx, 'Project', [v.ProjectID]))
      errors.field('ProjectID', NOT_FOUND('Project'));
    v.Status ??= 'Active';
    v.Default ??= false;
    return [];
  },
  deletable: () => null,
  actions: {
    ActivateProjectTask: statusAction('ProjectTask', ['Planned', 'On Hold', 'Suspended'], {
      Status: 'Active',
    }),
    CompleteProjectTask: statusAction('ProjectTask', ['Active'], { Status: 'Completed' }),
    CancelProjectTask: statusAction('ProjectTask', ['Planned', 'Active', 'On Hold'], { Status: 'Canceled' }),
    HoldProjectTask: statusAction('ProjectTask', ['Active'], { Status: 'On Hold' }),
  },
};

export const costCodeRules: EntityRules = {
  save: () => [],
  deletable: () => null,
  unmodelledActions: ['ChangeCostCodeID'],
};

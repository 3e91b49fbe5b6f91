import {
  CUSTOM_FIELD_TYPES,
  type CollectionSchema,
  type CustomFieldSpec,
  type CustomFieldType,
  type EntitySchema,
  type FieldType,
  type NodeSchema,
} from './schema';

/**
 * The entities of the system `Default` endpoint this simulator serves, read from the vendor's
 * OpenAPI (`Default_24.200.001.openapi.json`, `Default_23.200.001.swagger.json`:
 * `components.schemas.<Entity>`) and the endpoint metadata (screen views behind the fields).
 * Every field of a served node is accepted and returned; sub-entities this sandbox does not
 * model are listed in `unmodelled` and refused with a message that says so. Keys and number
 * sequences are this sandbox's reading (the OpenAPI names no key fields).
 */

/** Field lists grouped by wire type (StringValue, DecimalValue, …), in alphabetical order. */
function fields(byType: Partial<Record<FieldType, string>>): Record<string, FieldType> {
  const out: [string, FieldType][] = [];
  for (const [type, names] of Object.entries(byType) as [FieldType, string][]) {
    for (const name of names.split(/\s+/).filter(Boolean)) out.push([name, type]);
  }
  return Object.fromEntries(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const CUSTOM_TYPE_OF: Record<FieldType, CustomFieldType> = {
  string: 'CustomStringField',
  decimal: 'CustomDecimalField',
  bool: 'CustomBooleanField',
  datetime: 'CustomDateTimeField',
  int: 'CustomIntField',
  short: 'CustomShortField',
  guid: 'CustomGuidField',
};

/** Screen fields mapped to contract fields (endpoint metadata `<Mapping field=… ><To object=view field=…/>`). */
function mapped(
  node: Record<string, FieldType>,
  pairs: Record<string, string>,
): Record<string, CustomFieldSpec> {
  const out: Record<string, CustomFieldSpec> = {};
  for (const [screenField, contractField] of Object.entries(pairs)) {
    const type = node[contractField];
    if (!type) throw new Error(`contract: ${contractField} is not a field of the node it is mapped on`);
    out[screenField] = { type: CUSTOM_TYPE_OF[type], alias: contractField };
  }
  return out;
}

const ADDRESS: NodeSchema = {
  name: 'Address',
  fields: fields({ string: 'AddressLine1 AddressLine2 City Country PostalCode State', bool: 'Validated' }),
};

const CONTACT: NodeSchema = {
  name: 'Contact',
  fields: fields({
    string:
      'Attention BusinessAccount CompanyName ContactClass ContactMethod ConvertedBy DisplayName Duplicate Email ExtRefNbr Fax FaxType ' +
      'FirstName FullName Gender Image JobTitle LanguageOrLocale LastName MaritalStatus MiddleName Owner OwnerEmployeeName ParentAccount ' +
      'Phone1 Phone1Type Phone2 Phone2Type Phone3 Phone3Type Reason Source SourceCampaign SpouseOrPartnerName Status Title Type WebSite Workgroup WorkgroupDescription',
    bool: 'Active AddressValidated DoNotCall DoNotEmail DoNotFax DoNotMail DuplicateFound NoMarketing NoMassMail OverrideAccountAddress Synchronize',
    int: 'ContactID',
    datetime: 'DateOfBirth LastIncomingActivity LastModifiedDateTime LastOutgoingActivity QualificationDate',
    guid: 'NoteID',
  }),
  since: { ExtRefNbr: '24.200.001' },
  linked: { Address: ADDRESS },
  unmodelled: [
    'Activities',
    'Attributes',
    'Campaigns',
    'Cases',
    'Duplicates',
    'MarketingLists',
    'Notifications',
    'Opportunities',
    'Relations',
    'RoleAssignments',
    'UserInfo',
  ],
};

const BILL_FIELDS = fields({
  string:
    'BranchID CashAccount CurrencyID Description LocationID PostPeriod Project ReferenceNbr Status Terms Type Vendor VendorRef',
  decimal: 'Amount Balance TaxTotal',
  bool: 'ApprovedForPayment Hold IsTaxValid',
  datetime: 'Date DueDate LastModifiedDateTime',
});
const BILL_DETAIL_FIELDS = fields({
  string:
    'Account Branch CostCode Description InventoryID LCNbr LCType POOrderNbr POOrderType POReceiptNbr POReceiptType Project ProjectTask ' +
    'Subaccount TaxCategory TransactionDescription UOM',
  decimal: 'Amount ExtendedCost Qty UnitCost',
  bool: 'CalculateDiscountsOnImport NonBillable',
  int: 'LCLineNbr POLine POReceiptLine',
});

const BILL: EntitySchema = {
  name: 'Bill',
  keys: ['Type', 'ReferenceNbr'],
  autoNumber: { field: 'ReferenceNbr', prefix: '' },
  indexed: ['VendorRef', 'Vendor'],
  fields: BILL_FIELDS,
  collections: {
    Details: {
      name: 'BillDetail',
      fields: BILL_DETAIL_FIELDS,
      // Landed-cost links arrived with 24.200.001 (absent from Default_23.200.001 BillDetail).
      since: { LCLineNbr: '24.200.001', LCNbr: '24.200.001', LCType: '24.200.001' },
      views: {
        Transactions: mapped(BILL_DETAIL_FIELDS, {
          AccountID: 'Account',
          SubID: 'Subaccount',
          ProjectID: 'Project',
          TaskID: 'ProjectTask',
          CostCodeID: 'CostCode',
          TranDesc: 'TransactionDescription',
          CuryLineAmt: 'ExtendedCost',
          CuryTranAmt: 'Amount',
        }),
      },
    },
    Applications: {
      name: 'BillApplicationDetail',
      fields: fields({ string: 'DocType ReferenceNbr Status', decimal: 'AmountPaid Balance' }),
      readOnly: 'payments are applied to a bill from the payment (PUT Check with Details, then ReleaseCheck)',
    },
    TaxDetails: {
      name: 'BillTaxDetail',
      fields: fields({ string: 'TaxID', decimal: 'TaxableAmount TaxAmount TaxRate' }),
    },
  },
  views: {
    // AP301000: Document = APInvoice, CurrentDocument = the same record's second view.
    Document: {
      ...mapped(BILL_FIELDS, {
        DocType: 'Type',
        RefNbr: 'ReferenceNbr',
        VendorID: 'Vendor',
        InvoiceNbr: 'VendorRef',
        DocDate: 'Date',
        DocDesc: 'Description',
        CuryOrigDocAmt: 'Amount',
        CuryDocBal: 'Balance',
        Status: 'Status',
      }),
      PayDate: { type: 'CustomDateTimeField' },
      SeparateCheck: { type: 'CustomBooleanField' },
    },
    CurrentDocument: mapped(BILL_FIELDS, {
      BranchID: 'BranchID',
      PayAccountID: 'CashAccount',
      PaySel: 'ApprovedForPayment',
    }),
  },
};

const CHECK_FIELDS = fields({
  string: 'CashAccount CurrencyID Description PaymentMethod PaymentRef ReferenceNbr Status Type Vendor',
  decimal: 'PaymentAmount UnappliedBalance',
  bool: 'Hold',
  datetime: 'ApplicationDate LastModifiedDateTime',
});
const CHECK_DETAIL_FIELDS = fields({
  string: 'DocType ReferenceNbr',
  decimal: 'AmountPaid Balance CashDiscountBalance',
  int: 'DocLineNbr',
});

const CHECK: EntitySchema = {
  name: 'Check',
  keys: ['Type', 'ReferenceNbr'],
  autoNumber: { field: 'ReferenceNbr', prefix: '' },
  indexed: ['Vendor'],
  fields: CHECK_FIELDS,
  collections: {
    // Details = the Adjustments view: applications not released yet.
    Details: {
      name: 'CheckDetail',
      fields: CHECK_DETAIL_FIELDS,
      views: {
        Adjustments: mapped(CHECK_DETAIL_FIELDS, {
          AdjdDocType: 'DocType',
          AdjdRefNbr: 'ReferenceNbr',
          CuryAdjgAmt: 'AmountPaid',
        }),
      },
    },
    // History = the APPost view: what the released payment applied.
    History: {
      name: 'CheckHistoryDetail',
      fields: fields({
        string: 'DocType ReferenceNbr VendorRef',
        decimal: 'AmountPaid Balance CashDiscountBalance CashDiscountTaken',
      }),
      readOnly: 'the application history is written when the payment is released',
    },
  },
  views: {
    Document: mapped(CHECK_FIELDS, {
      DocType: 'Type',
      RefNbr: 'ReferenceNbr',
      VendorID: 'Vendor',
      DocDesc: 'Description',
      ExtRefNbr: 'PaymentRef',
      AdjDate: 'ApplicationDate',
      CuryOrigDocAmt: 'PaymentAmount',
      CuryUnappliedBal: 'UnappliedBalance',
    }),
  },
};

const VENDOR: EntitySchema = {
  name: 'Vendor',
  keys: ['VendorID'],
  indexed: ['VendorID'],
  fields: fields({
    string:
      'APAccount APSubaccount AccountRef CashAccount CurrencyID CurrencyRateType F1099Box FOBPoint LegalName LocationName ParentAccount PaymentBy ' +
      'PaymentMethod ReceiptAction ReceivingBranch ShipVia ShippingTerms Status TaxCalculationMode TaxRegistrationID TaxZone Terms VendorClass VendorID VendorName Warehouse',
    decimal: 'MaxReceipt MinReceipt ThresholdReceipt',
    short: 'LeadTimedays PaymentLeadTimedays',
    bool:
      'EnableCurrencyOverride EnableRateOverride F1099Vendor FATCA ForeignEntity LandedCostVendor PaySeparately PrintOrders RemittanceAddressOverride ' +
      'RemittanceContactOverride SendOrdersbyEmail ShippingAddressOverride ShippingContactOverride VendorIsLaborUnion VendorIsTaxAgency',
    datetime: 'CreatedDateTime LastModifiedDateTime',
  }),
  linked: {
    MainContact: CONTACT,
    PrimaryContact: CONTACT,
    RemittanceContact: CONTACT,
    ShippingContact: CONTACT,
  },
  unmodelled: ['Attributes', 'Contacts', 'PaymentInstructions'],
};

const ACCOUNT: EntitySchema = {
  name: 'Account',
  keys: ['AccountCD'],
  indexed: ['AccountCD'],
  fields: fields({
    string:
      'AccountCD AccountClass AccountGroup ConsolidationAccount CurrencyID Description PostOption RevaluationRateType TaxCategory Type',
    int: 'AccountID ChartOfAccountsOrder',
    bool: 'Active CashAccount RequireUnits Secured UseDefaultSubaccount',
    datetime: 'CreatedDateTime LastModifiedDateTime',
  }),
};

// No LastModifiedDateTime in the Subaccount schema (1.6).
const SUBACCOUNT: EntitySchema = {
  name: 'Subaccount',
  keys: ['SubaccountCD'],
  indexed: ['SubaccountCD'],
  fields: fields({ string: 'Description SubaccountCD', int: 'SubaccountID', bool: 'Active Secured' }),
};

const PROJECT: EntitySchema = {
  name: 'Project',
  keys: ['ProjectID'],
  indexed: ['ProjectID'],
  fields: fields({
    string: 'Customer Description ExternalRefNbr ProjectID ProjectTemplateID Status',
    decimal: 'Assets Expenses Income Liabilities',
    bool: 'Hold',
    datetime: 'LastModifiedDateTime',
  }),
  unmodelled: [
    'ActivityHistory',
    'ApprovalDetails',
    'Attributes',
    'Balances',
    'BillToSettings',
    'BillingAndAllocationSettings',
    'Employees',
    'Equipments',
    'GLAccounts',
    'Invoices',
    'ProjectAddress',
    'ProjectProperties',
    'Retainage',
    'UnionLocals',
    'VisibilitySettings',
  ],
};

const PROJECT_TASK: EntitySchema = {
  name: 'ProjectTask',
  keys: ['ProjectID', 'ProjectTaskID'],
  indexed: ['ProjectID'],
  fields: fields({
    string: 'Description ExternalRefNbr ProjectID ProjectTaskID Status',
    bool: 'Default',
    datetime: 'LastModifiedDateTime',
  }),
  unmodelled: [
    'ActivityHistory',
    'Attributes',
    'BillingAndAllocationSettings',
    'CRMLink',
    'DefaultValues',
    'Properties',
    'VisibilitySettings',
  ],
};

const COST_CODE: EntitySchema = {
  name: 'CostCode',
  keys: ['CostCodeID'],
  indexed: ['CostCodeID'],
  fields: fields({ string: 'CostCodeID Description', datetime: 'LastModifiedDateTime' }),
};

const PURCHASE_ORDER: EntitySchema = {
  name: 'PurchaseOrder',
  keys: ['Type', 'OrderNbr'],
  autoNumber: { field: 'OrderNbr', prefix: 'PO' },
  indexed: ['VendorRef', 'VendorID', 'Project'],
  fields: fields({
    string:
      'BaseCurrencyID Branch CurrencyID CurrencyRateTypeID Description Location OrderNbr Owner Project Status Terms Type VendorID VendorRef VendorTaxZone',
    decimal: 'ControlTotal CurrencyRate CurrencyReciprocalRate LineTotal OrderTotal TaxTotal',
    bool: 'Hold IsTaxValid',
    datetime: 'CurrencyEffectiveDate Date LastModifiedDateTime PromisedOn',
  }),
  collections: {
    Details: {
      name: 'PurchaseOrderDetail',
      fields: fields({
        string:
          'Account AlternateID BranchID CostCode Description InventoryID LineDescription LineType OrderNbr OrderType OrigPONbr OrigPOType Project ' +
          'ProjectTask ReceiptAction Subaccount Subitem TaxCategory UOM WarehouseID',
        decimal:
          'CompleteOn ExtendedCost MaxReceiptPercent MinReceiptPercent OrderQty OrderedQty QtyOnReceipts ReceivedAmount UnitCost',
        bool: 'CalculateDiscountsOnImport Cancelled Completed',
        int: 'LineNbr',
        datetime: 'Promised Requested',
      }),
    },
    TaxDetails: {
      name: 'PurchaseOrderTaxDetail',
      fields: fields({
        string: 'TaxID',
        decimal: 'RetainedTaxAmount RetainedTaxableAmount TaxAmount TaxRate TaxableAmount',
      }),
    },
  },
  unmodelled: ['ShippingInstructions'],
};

const SUBCONTRACT: EntitySchema = {
  name: 'Subcontract',
  keys: ['SubcontractNbr'],
  autoNumber: { field: 'SubcontractNbr', prefix: 'SC' },
  indexed: ['VendorRef', 'VendorID'],
  fields: fields({
    string:
      'BaseCurrencyID Branch CurrencyID CurrencyRateTypeID Description Location Owner Status SubcontractNbr Terms VendorID VendorRef VendorTaxZone',
    decimal:
      'ControlTotal CurrencyRate CurrencyReciprocalRate DiscountTotal LineTotal RetainagePct RetainageTotal SubcontractTotal TaxTotal',
    bool: 'ApplyRetainage DoNotEmail DoNotPrint Emailed Printed',
    datetime: 'CurrencyEffectiveDate Date LastModifiedDateTime StartDate',
  }),
  collections: {
    Details: {
      name: 'SubcontractDetail',
      fields: fields({
        string:
          'Account AlternateID BranchID CostCode Description DiscountCode DiscountSequence InventoryID LineDescription OrderNbr OrderType Project ' +
          'Subaccount Task TaxCategory UOM',
        decimal:
          'Amount DiscountAmount DiscountPct ExtendedCost OrderQty PrepaidAmount PrepaidQty RetainageAmount RetainagePct UnitCost',
        bool: 'Canceled Closed Completed ManualCost ManualDiscount',
        int: 'LineNbr',
        datetime: 'Requested StartDate',
      }),
    },
    TaxDetails: {
      name: 'SubcontractTaxDetail',
      fields: fields({
        string: 'TaxID TaxType',
        decimal: 'RetainedTax RetainedTaxable TaxAmount TaxRate TaxableAmount',
      }),
    },
  },
  linked: {
    VendorAddressInfo: {
      name: 'SubcontractVendorAddressInfo',
      fields: fields({
        string: 'AddressLine1 AddressLine2 City Country PostalCode State',
        bool: 'VendorAddressOverride',
      }),
    },
    VendorContactInfo: {
      name: 'SubcontractVendorContactInfo',
      fields: fields({ string: 'AccountName Email JobTitle Phone', bool: 'VendorContactOverride' }),
    },
  },
};

const CHANGE_ORDER_FIELDS = fields({
  string:
    'Class Customer Description DetailedDescription ExternalRefNbr OriginalCORefNbr ProjectID RefNbr RevenueChangeNbr ReverseStatus Status',
  decimal:
    'CommitmentsChangeTotal CostBudgetChangeTotal GrossMargin GrossMarginAmount RevenueBudgetChangeTotal',
  int: 'ContractTimeChangeDays',
  bool: 'Hold',
  datetime: 'ChangeDate CompletionDate LastModifiedDateTime',
});

const CHANGE_ORDER: EntitySchema = {
  name: 'ChangeOrder',
  keys: ['RefNbr'],
  autoNumber: { field: 'RefNbr', prefix: 'CO' },
  indexed: ['ProjectID', 'ExternalRefNbr'],
  fields: CHANGE_ORDER_FIELDS,
  collections: {
    Commitments: {
      name: 'ChangeOrderCommitment',
      fields: fields({
        string:
          'Account CostCode CurrencyID Description InventoryID LineDescription PONbr POType ProjectTaskID Status UOM Vendor',
        decimal:
          'Amount AmountinBaseCurrency LineAmount OpenQty OrderQty PotentiallyRevisedAmount PotentiallyRevisedQty Qty UnitCost',
        int: 'POLineNbr',
        datetime: 'OrderDate',
      }),
    },
  },
  unmodelled: ['ApprovalDetails', 'Attributes', 'CostBudget', 'RevenueBudget'],
  views: {
    Document: mapped(CHANGE_ORDER_FIELDS, {
      RefNbr: 'RefNbr',
      ProjectID: 'ProjectID',
      Description: 'Description',
      ExtRefNbr: 'ExternalRefNbr',
    }),
  },
};

const EXTERNAL_COMMITMENT: EntitySchema = {
  name: 'ExternalCommitment',
  keys: ['ExternalRefNbr'],
  indexed: ['ExternalRefNbr', 'ProjectID'],
  fields: fields({
    string:
      'AccountGroup CostCode ExternalRefNbr InventoryID ProjectID ProjectTaskID RelatedDocument Type UOM',
    decimal:
      'CommittedCOAmount CommittedCOQty CommittedInvoicedAmount CommittedInvoicedQty CommittedOpenAmount CommittedOpenQty CommittedReceivedQty ' +
      'OriginalCommittedAmount OriginalCommittedQty RevisedCommittedAmount RevisedCommittedQty',
    datetime: 'LastModifiedDateTime',
  }),
};

const ENTITIES: readonly EntitySchema[] = [
  BILL,
  CHECK,
  VENDOR,
  ACCOUNT,
  SUBACCOUNT,
  PROJECT,
  PROJECT_TASK,
  COST_CODE,
  PURCHASE_ORDER,
  SUBCONTRACT,
  CHANGE_ORDER,
  EXTERNAL_COMMITMENT,
];

export type Contract = Record<string, EntitySchema>;

/**
 * Screen fields an instance adds (customization `Usr…` fields, user-defined fields), per entity:
 * `{"Bill": {"Document.UsrProcoreID": "CustomStringField", "Details/Transactions.UsrLineRef": "CustomStringField"}}`
 * (the `$custom` path syntax: `[<Sub-entity>/]<View>.<Field>`).
 */
export type CustomFieldConfig = Record<string, Record<string, string>>;

/** The served entities with the configured custom fields added (a fresh copy per simulator). */
export function buildContract(customFields: CustomFieldConfig = {}): Contract {
  const contract: Contract = Object.fromEntries(ENTITIES.map((e) => [e.name, structuredClone(e)]));
  for (const [entityName, declared] of Object.entries(customFields)) {
    const entity = contract[entityName];
    if (!entity)
      throw new Error(
        `acumatica config 'customFields': '${entityName}' is not an entity this sandbox serves (${Object.keys(contract).join(', ')})`,
      );
    for (const [path, type] of Object.entries(declared)) {
      const m = /^(?:(\w+)\/)?(\w+)\.(\w+)$/.exec(path);
      if (!m)
        throw new Error(
          `acumatica config 'customFields': '${path}' is not of the form [Sub-entity/]View.Field`,
        );
      if (!(type in CUSTOM_FIELD_TYPES))
        throw new Error(
          `acumatica config 'customFields': '${type}' is not one of ${Object.keys(CUSTOM_FIELD_TYPES).join(', ')}`,
        );
      const [, subName, view = '', field = ''] = m;
      const node: NodeSchema | CollectionSchema | undefined = subName
        ? (entity.collections?.[subName] ?? entity.linked?.[subName])
        : entity;
      if (!node)
        throw new Error(
          `acumatica config 'customFields': ${entityName} has no sub-entity '${subName ?? ''}'`,
        );
      ((node.views ??= {})[view] ??= {})[field] = { type: type as CustomFieldType };
    }
  }
  return contract;
}

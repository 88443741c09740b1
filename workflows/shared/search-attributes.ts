import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes registered on the dev server at start (scripts/temporal-dev-server.sh and the test
 * setup). Only codes and ids go here: search attributes are stored in plain text, outside the payload codec.
 */
export const CASE_STEP = defineSearchAttributeKey('CaseStep', SearchAttributeType.KEYWORD);
export const CASE_STATUS = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const HOLDER_UNIT_ID = defineSearchAttributeKey('HolderUnitId', SearchAttributeType.KEYWORD);

/** `Name=Type` pairs for `temporal server start-dev --search-attribute`. */
export const SEARCH_ATTRIBUTE_FLAGS = ['CaseStep=Keyword', 'CaseStatus=Keyword', 'HolderUnitId=Keyword'];

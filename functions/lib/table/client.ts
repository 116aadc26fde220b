import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The document client plus the table it talks to: what every repository needs. */
export interface Table {
  doc: DynamoDBDocumentClient;
  name: string;
}

export function createTable(name: string, config: DynamoDBClientConfig = {}): Table {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { doc, name };
}

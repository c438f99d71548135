export * from './blob-store-contract';
export * from './local-s3';
export * from './tamper';

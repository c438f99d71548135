export * from './answer-review';
export * from './self-review-decision';

import { bearerChallenge, metadataUrl, protectedResourceMetadata } from './protected-resource';

describe('RFC 9728 metadata and the 401 challenge', () => {
  it('names the resource (the /mcp endpoint) and the issuer', () => {
    expect(protectedResourceMetadata('https://mcp.example.com', 'https://issuer.example.com')).toMatchObject({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://issuer.example.com'],
      bearer_methods_supported: ['header'],
    });
    expect(metadataUrl('https://mcp.example.com')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
  });

  it('points at the metadata; a refused token adds invalid_token and why, quoted safely', () => {
    expect(bearerChallenge('http://h:1')).toBe('Bearer resource_metadata="http://h:1/.well-known/oauth-protected-resource/mcp"');
    expect(bearerChallenge('http://h:1', 'token "iss" is not\nexpected \\ here')).toBe(
      'Bearer error="invalid_token", error_description="token \\"iss\\" is not expected \\\\ here", resource_metadata="http://h:1/.well-known/oauth-protected-resource/mcp"',
    );
  });
});

import { defineComponent } from '../../core/component-definition';
import { ChatbotSchema, chatbotClusterIssues } from './config';
import { SERVING_NAMESPACES } from '../../serving/serving-stack';
import { Chatbot } from './chatbot';

/** `components.chatbot`: seed 002's GPU chatbot (chatbot.ts), behind the cluster's ingress controller. */
export const chatbotComponent = defineComponent({
  key: 'chatbot',
  schema: ChatbotSchema.default({}),
  clusterIssues: chatbotClusterIssues,
  build: (chatbot, { platform, cluster, auth, namespaces }) =>
    chatbot.enabled
      ? new Chatbot(platform, 'Chatbot', {
          config: chatbot,
          namespaces,
          storageClasses: cluster.storageClasses,
          ingressClassName: cluster.ingress.className,
          ingressNamespace: cluster.ingress.namespace,
          gpu: cluster.gpu,
          // The configuration requires both with the chatbot (auth.oidc, components.serving).
          auth: { oidc: auth.oidc!, istioNamespace: SERVING_NAMESPACES.istio },
        })
      : undefined,
});
